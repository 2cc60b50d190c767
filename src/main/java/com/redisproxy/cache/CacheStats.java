package com.redisproxy.cache;

/** A snapshot of the cache's counters, taken by the CacheActor. */
public record CacheStats(
    int size,
    int capacity,
    long bytes,
    long maxBytes,
    long hits,
    long misses,
    long evictions,
    long expirations,
    long coalescedMisses,
    int fetchesInFlight,
    long invalidationMessages,
    long keysInvalidated,
    long fullClears,
    long restarts) {

  /** Before the first snapshot arrives. */
  public static final CacheStats NONE = new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
