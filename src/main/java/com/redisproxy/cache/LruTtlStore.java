package com.redisproxy.cache;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.PriorityQueue;

/**
 * The cache's data structure: a fixed number of keys, evicted least-recently-read first, each
 * expiring a fixed time after it was added, or sooner when the entry is given a shorter time to
 * live (Redis's own TTL). Pure and single-threaded; time comes from a {@link Ticker}.
 *
 * <p>Two orders are kept, both O(1) to maintain: recency of reads, in an access-ordered {@link
 * LinkedHashMap}, and age, in an intrusive doubly-linked list threaded through the entries.
 * Entries with the global time to live expire in age order, so they are always at the old end of
 * that list. The few with a shorter one are also in a heap ordered by expiry (O(log n)), from
 * which removed entries are dropped lazily, when their time comes.
 */
public final class LruTtlStore<K, V> {

  private static final class Entry<K, V> {
    final K key;
    final V value;
    final long expiresAt;
    Entry<K, V> older;
    Entry<K, V> newer;
    boolean removed;

    Entry(K key, V value, long expiresAt) {
      this.key = key;
      this.value = value;
      this.expiresAt = expiresAt;
    }
  }

  private final int capacity;
  private final long timeToLiveNanos;
  private final Ticker ticker;
  private final LinkedHashMap<K, Entry<K, V>> byRecency;
  private final PriorityQueue<Entry<K, V>> earlyExpiries =
      new PriorityQueue<>(Comparator.comparingLong((Entry<K, V> entry) -> entry.expiresAt));
  private Entry<K, V> oldest;
  private Entry<K, V> newest;
  private long evictions;
  private long expirations;

  public LruTtlStore(int capacity, long timeToLiveNanos, Ticker ticker) {
    if (capacity < 0) throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
    if (timeToLiveNanos <= 0) throw new IllegalArgumentException("time to live must be > 0");
    this.capacity = capacity;
    this.timeToLiveNanos = timeToLiveNanos;
    this.ticker = ticker;
    this.byRecency = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 4 / 3 + 1, 0.75f, true);
  }

  /** The live value of {@code key}, marking it most recently read; null when absent or expired. */
  public V get(K key) {
    Entry<K, V> entry = byRecency.get(key);
    if (entry == null) return null;
    if (isExpired(entry, ticker.read())) {
      remove(entry);
      expirations++;
      return null;
    }
    return entry.value;
  }

  /** Adds or replaces {@code key}, starting its time to live now; may evict one entry. */
  public void put(K key, V value) {
    put(key, value, timeToLiveNanos);
  }

  /** As {@link #put(Object, Object)}, living {@code timeToLiveNanos} if that is shorter than the global one. */
  public void put(K key, V value, long timeToLiveNanos) {
    if (capacity == 0 || timeToLiveNanos <= 0) return;
    long now = ticker.read();
    Entry<K, V> previous = byRecency.get(key);
    if (previous != null) remove(previous);
    if (byRecency.size() >= capacity) {
      expireUpTo(now);
      if (byRecency.size() >= capacity) evictLeastRecentlyRead();
    }
    boolean early = timeToLiveNanos < this.timeToLiveNanos;
    Entry<K, V> entry = new Entry<>(key, value, now + (early ? timeToLiveNanos : this.timeToLiveNanos));
    byRecency.put(key, entry);
    linkAsNewest(entry);
    if (early) earlyExpiries.add(entry);
  }

  /** Removes {@code key} if present; true when something was removed. */
  public boolean invalidate(K key) {
    Entry<K, V> entry = byRecency.get(key);
    if (entry == null) return false;
    remove(entry);
    return true;
  }

  /** Removes every expired entry; returns how many. Cost is proportional to that number. */
  public int sweepExpired() {
    return expireUpTo(ticker.read());
  }

  public void clear() {
    byRecency.clear();
    earlyExpiries.clear();
    oldest = null;
    newest = null;
  }

  public int size() {
    return byRecency.size();
  }

  public int capacity() {
    return capacity;
  }

  public long evictions() {
    return evictions;
  }

  public long expirations() {
    return expirations;
  }

  private int expireUpTo(long now) {
    int removed = 0;
    while (!earlyExpiries.isEmpty() && isExpired(earlyExpiries.peek(), now)) {
      Entry<K, V> entry = earlyExpiries.poll();
      if (!entry.removed) {
        remove(entry);
        removed++;
      }
    }
    while (oldest != null && isExpired(oldest, now)) {
      remove(oldest);
      removed++;
    }
    expirations += removed;
    return removed;
  }

  private void evictLeastRecentlyRead() {
    Entry<K, V> leastRecent = byRecency.values().iterator().next();
    remove(leastRecent);
    evictions++;
  }

  // An entry is gone from the moment its time to live has fully passed.
  private static boolean isExpired(Entry<?, ?> entry, long now) {
    return now - entry.expiresAt >= 0;
  }

  private void remove(Entry<K, V> entry) {
    byRecency.remove(entry.key);
    unlinkFromAgeList(entry);
    entry.removed = true;
  }

  private void linkAsNewest(Entry<K, V> entry) {
    entry.older = newest;
    if (newest != null) newest.newer = entry;
    newest = entry;
    if (oldest == null) oldest = entry;
  }

  private void unlinkFromAgeList(Entry<K, V> entry) {
    if (entry.older != null) entry.older.newer = entry.newer;
    else oldest = entry.newer;
    if (entry.newer != null) entry.newer.older = entry.older;
    else newest = entry.older;
    entry.older = null;
    entry.newer = null;
  }
}
