package com.redisproxy.cache;

/**
 * The answer for one key of {@link CacheActor.GetCached}: its cached value, its cached absence
 * (with tracking), {@link NotCached}, or the failure of the ask itself (refused or timed out).
 * Nothing is fetched for it.
 */
public sealed interface Lookup permits GetResult.Found, GetResult.NotFound, GetResult.Failed, Lookup.NotCached {

  /** The key has no value in the cache; the caller reads it with an ask that may fetch. */
  enum NotCached implements Lookup {
    INSTANCE
  }
}
