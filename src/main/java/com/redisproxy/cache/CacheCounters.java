package com.redisproxy.cache;

import com.redisproxy.cache.store.HotKeys;
import com.redisproxy.cache.store.LruTtlStore;

/**
 * The cache's running totals. They outlive a restart of the CacheActor (a counter that fell back
 * to zero would read as a reset to Prometheus), and are touched by the actor's thread only.
 */
final class CacheCounters {
  long hits;
  long misses;
  long coalescedMisses;
  long keysInvalidated;
  long fullClears;
  long restarts;
  // 64 counters, one read in 8 counted: the top 10 hold within a few percent on skewed reads
  // (HotKeysTest), for an increment per read and a hash lookup per 8.
  final HotKeys<CacheKey> hotKeys = new HotKeys<>(64, 8, CacheKey::bytes);
  // The store's own counts from before the last restart; the store of each incarnation starts at zero.
  private long earlierEvictions;
  private long earlierExpirations;

  /** Called as a restart throws {@code store} away. */
  void restarted(LruTtlStore<?, ?> store) {
    earlierEvictions += store.evictions();
    earlierExpirations += store.expirations();
    restarts++;
  }

  CacheStats snapshot(LruTtlStore<?, ?> store, int fetchesInFlight, long invalidationMessages) {
    return new CacheStats(store.size(), store.capacity(), store.weight(), store.maxWeight(), hits, misses, earlierEvictions + store.evictions(),
        earlierExpirations + store.expirations(), coalescedMisses, fetchesInFlight, invalidationMessages,
        keysInvalidated, fullClears, restarts, hotKeys.top(CacheStats.HOT_KEYS_SHOWN), hotKeys.shareOfTop(CacheStats.HOT_KEYS_SHOWN));
  }
}
