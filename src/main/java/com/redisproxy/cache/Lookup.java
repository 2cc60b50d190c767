package com.redisproxy.cache;

/**
 * The answer for one key of {@link CacheActor.GetCached} or {@link CacheActor.Read}: its cached
 * value, its cached absence (with tracking), {@link NotCached}, or the failure of the ask itself
 * (refused or timed out).
 */
public sealed interface Lookup permits GetResult.Found, GetResult.NotFound, GetResult.Failed, Lookup.NotCached {

  /** The key has no value in the cache: a {@link CacheActor.Read} fetches it, a {@link CacheActor.GetCached} leaves it to the caller. */
  enum NotCached implements Lookup {
    INSTANCE
  }
}
