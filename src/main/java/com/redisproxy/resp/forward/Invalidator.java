package com.redisproxy.resp.forward;

import com.redisproxy.cache.client.CacheClient;
import com.redisproxy.resp.command.CommandTable;

/** Drops from the cache what a forwarded command may have changed. */
public interface Invalidator {
  void invalidate(CommandTable.Invalidation invalidation);

  static Invalidator of(CacheClient cache) {
    return invalidation -> {
      if (invalidation.everything()) cache.invalidateAll();
      else if (!invalidation.keys().isEmpty()) cache.invalidate(invalidation.keys());
    };
  }
}
