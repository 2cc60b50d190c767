package com.redisproxy.cache;

/**
 * The answer for one key of {@link CacheActor.GetCached}: its cached value, {@link NotCached}, or
 * the failure of the ask itself (refused or timed out). Nothing is fetched for it.
 */
public sealed interface Lookup permits GetResult.Found, GetResult.Failed, Lookup.NotCached {

  /** The key has no value in the cache; the caller reads it with an ask that may fetch. */
  enum NotCached implements Lookup {
    INSTANCE
  }
}
