package com.redisproxy.resp;

import com.redisproxy.cache.CacheClient;

/** Drops from the cache what a forwarded command may have changed. */
interface Invalidator {
  void invalidate(CommandTable.Invalidation invalidation);

  static Invalidator of(CacheClient cache) {
    return invalidation -> {
      if (invalidation.everything()) cache.invalidateAll();
      else if (!invalidation.keys().isEmpty()) cache.invalidate(invalidation.keys());
    };
  }
}
