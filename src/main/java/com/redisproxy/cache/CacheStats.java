package com.redisproxy.cache;

import com.redisproxy.cache.store.HotKeys;
import java.util.List;

/** A snapshot of the cache's counters, taken by the CacheActor; {@code hotKeys} the keys read most, most first. */
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
    long restarts,
    List<HotKeys.HotKey> hotKeys,
    double hotKeysShare) {

  /** Before the first snapshot arrives. */
  public static final CacheStats NONE = new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), 0);

  /** How many of the keys read most a snapshot names, and whose share of reads it gives. */
  public static final int HOT_KEYS_SHOWN = 10;
}
