package com.redisproxy.cache.store;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The cache's data structure: at most a number of keys and a number of bytes (each entry weighs
 * what its weigher says), evicted least-recently-read first under whichever bound binds, each
 * expiring a fixed time after it was added, or sooner when the entry is given a shorter time to
 * live (Redis's own TTL). Pure and single-threaded; time comes from a {@link Ticker}.
 *
 * <p>One node per entry sits in a chained hash table and on two intrusive doubly-linked lists:
 * recency of reads, and age. Every operation is O(1) (amortised over table growth). Entries with
 * the global time to live expire in age order, so they are always at the old end of the age list;
 * the few with a shorter one are also in a heap ordered by expiry (O(log n)). Every index lets go
 * of an entry the moment it leaves the store, so memory is bounded by the capacity whatever the
 * churn. One node of 56 bytes (with its weight) instead of a LinkedHashMap entry plus an entry of
 * our own; only the shorter-lived nodes carry their heap slot.
 */
public final class LruTtlStore<K, V> {

  private static final int MAX_TABLE = 1 << 30;

  private static class Node<K, V> {
    final K key;
    V value;
    final long expiresAt;
    // As weighed when added: what leaves the byte count when the node leaves, whatever became of its value since.
    final long weight;
    Node<K, V> nextInBucket;
    Node<K, V> lessRecent;
    Node<K, V> moreRecent;
    Node<K, V> older;
    Node<K, V> newer;

    Node(K key, V value, long expiresAt, long weight) {
      this.key = key;
      this.value = value;
      this.expiresAt = expiresAt;
      this.weight = weight;
    }
  }

  /**
   * A node with a time to live of its own (Redis's TTL, an operator's rule): it is in the expiry
   * heap, and on the age list too only when it lives less than the global time to live (a longer
   * one there would hold back the sweep of the entries behind it).
   */
  private static final class EarlyNode<K, V> extends Node<K, V> implements ExpiryHeap.Element {
    private int heapSlot = -1;

    EarlyNode(K key, V value, long expiresAt, long weight) {
      super(key, value, expiresAt, weight);
    }

    @Override
    public long expiresAt() {
      return expiresAt;
    }

    @Override
    public int heapSlot() {
      return heapSlot;
    }

    @Override
    public void heapSlot(int slot) {
      heapSlot = slot;
    }
  }

  /** What an entry costs against the byte bound: its key, its value and whatever else it holds. */
  @FunctionalInterface
  public interface Weigher<K, V> {
    long weigh(K key, V value);
  }

  private int capacity;
  private long maxWeight;
  private final Weigher<? super K, ? super V> weigher;
  private long timeToLiveNanos;
  private final Ticker ticker;
  private Node<K, V>[] table;
  private int size;
  private Node<K, V> leastRecent;
  private Node<K, V> mostRecent;
  private Node<K, V> oldest;
  private Node<K, V> newest;
  private final ExpiryHeap<EarlyNode<K, V>> earlyExpiries = new ExpiryHeap<>();
  private long weight;
  private long evictions;
  private long expirations;

  /**
   * @param capacity entries held at most
   * @param maxWeight the entries' weights add up to this at most; an entry heavier alone is not kept
   */
  public LruTtlStore(int capacity, long maxWeight, Weigher<? super K, ? super V> weigher, long timeToLiveNanos,
      Ticker ticker) {
    if (capacity < 0) throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
    if (maxWeight < 0) throw new IllegalArgumentException("max weight must be >= 0: " + maxWeight);
    if (timeToLiveNanos <= 0) throw new IllegalArgumentException("time to live must be > 0");
    this.capacity = capacity;
    this.maxWeight = maxWeight;
    this.weigher = weigher;
    this.timeToLiveNanos = timeToLiveNanos;
    this.ticker = ticker;
    this.table = newTable(16);
  }

  /** The live value of {@code key}, marking it most recently read; null when absent or expired. */
  public V get(K key) {
    Node<K, V> node = find(key);
    if (node == null) return null;
    if (isExpired(node, ticker.read())) {
      remove(node);
      expirations++;
      return null;
    }
    unlinkFromRecency(node);
    linkAsMostRecent(node);
    return node.value;
  }

  /** The live value of {@code key} without marking it read; null when absent or expired. */
  public V peek(K key) {
    Node<K, V> node = find(key);
    return node == null || isExpired(node, ticker.read()) ? null : node.value;
  }

  /**
   * Adds or replaces {@code key}, starting its time to live now; evicts the least recently read
   * entries until both bounds hold. One heavier than the byte bound alone is not kept (and the one
   * it replaces is gone).
   */
  public void put(K key, V value) {
    put(key, value, timeToLiveNanos);
  }

  /** As {@link #put(Object, Object)}, living {@code timeToLiveNanos}, shorter or longer than the global time to live. */
  public void put(K key, V value, long timeToLiveNanos) {
    Node<K, V> previous = find(key);
    if (previous != null) remove(previous);
    long entryWeight = weigher.weigh(key, value);
    if (capacity == 0 || timeToLiveNanos <= 0 || entryWeight > maxWeight) return;
    long now = ticker.read();
    if (size >= capacity || weight + entryWeight > maxWeight) {
      expireUpTo(now);
      while (size >= capacity || weight + entryWeight > maxWeight) {
        remove(leastRecent);
        evictions++;
      }
    }
    if (timeToLiveNanos != this.timeToLiveNanos) {
      EarlyNode<K, V> node = new EarlyNode<>(key, value, now + timeToLiveNanos, entryWeight);
      insert(node, timeToLiveNanos < this.timeToLiveNanos);
      earlyExpiries.add(node);
    } else {
      insert(new Node<>(key, value, now + this.timeToLiveNanos, entryWeight), true);
    }
  }

  /**
   * As {@link #put(Object, Object, long)}, but never living longer than the live entry it replaces:
   * for a value that adds to what was cached at the entry's start, which must not outlive its time.
   */
  public void putNoLaterThan(K key, V value, long timeToLiveNanos) {
    Node<K, V> previous = find(key);
    long now = ticker.read();
    if (previous != null && !isExpired(previous, now)) {
      timeToLiveNanos = Math.min(timeToLiveNanos, previous.expiresAt - now);
    }
    put(key, value, timeToLiveNanos);
  }

  /**
   * New bounds and a new global time to live, from a reload: the least recently read entries go
   * until both bounds hold; entries keep the expiry they were given, new ones get the new one.
   * After the time to live changed, the age list is no longer in expiry order, and the sweep may
   * leave some expired entries until it reaches them: a read never gets one (each is checked), and
   * the bounds still hold.
   */
  public void reconfigure(int capacity, long maxWeight, long timeToLiveNanos) {
    if (capacity < 0 || maxWeight < 0 || timeToLiveNanos <= 0) throw new IllegalArgumentException("bad bounds");
    this.capacity = capacity;
    this.maxWeight = maxWeight;
    this.timeToLiveNanos = timeToLiveNanos;
    while (size > capacity || weight > maxWeight) {
      remove(leastRecent);
      evictions++;
    }
  }

  /** Removes {@code key} if present; true when something was removed. */
  public boolean invalidate(K key) {
    Node<K, V> node = find(key);
    if (node == null) return false;
    remove(node);
    return true;
  }

  /** Removes every entry whose key {@code matches}; returns how many. Cost is proportional to the size. */
  public int invalidateIf(Predicate<K> matches) {
    int removed = 0;
    Node<K, V> node = leastRecent;
    while (node != null) {
      Node<K, V> next = node.moreRecent;
      if (matches.test(node.key)) {
        remove(node);
        removed++;
      }
      node = next;
    }
    return removed;
  }

  /** Removes every expired entry; returns how many. Cost is proportional to that number. */
  public int sweepExpired() {
    return expireUpTo(ticker.read());
  }

  public void clear() {
    Arrays.fill(table, null);
    earlyExpiries.clear();
    size = 0;
    weight = 0;
    leastRecent = mostRecent = oldest = newest = null;
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return capacity;
  }

  /** The entries' weights added up. */
  public long weight() {
    return weight;
  }

  public long maxWeight() {
    return maxWeight;
  }

  public long evictions() {
    return evictions;
  }

  public long expirations() {
    return expirations;
  }

  /** Entries in the expiry heap: never more than {@link #size()}. */
  int entriesAwaitingEarlyExpiry() {
    return earlyExpiries.size();
  }

  private int expireUpTo(long now) {
    int removed = 0;
    for (EarlyNode<K, V> first = earlyExpiries.peek(); first != null && isExpired(first, now);
        first = earlyExpiries.peek()) {
      remove(first);
      removed++;
    }
    while (oldest != null && isExpired(oldest, now)) {
      remove(oldest);
      removed++;
    }
    expirations += removed;
    return removed;
  }

  // An entry is gone from the moment its time to live has fully passed.
  private static boolean isExpired(Node<?, ?> node, long now) {
    return now - node.expiresAt >= 0;
  }

  private Node<K, V> find(K key) {
    for (Node<K, V> node = table[indexFor(key.hashCode(), table.length)]; node != null; node = node.nextInBucket) {
      if (node.key.equals(key)) return node;
    }
    return null;
  }

  private void insert(Node<K, V> node, boolean onAgeList) {
    if (size + 1 > table.length / 4 * 3 && table.length < MAX_TABLE) resize();
    int index = indexFor(node.key.hashCode(), table.length);
    node.nextInBucket = table[index];
    table[index] = node;
    size++;
    weight += node.weight;
    linkAsMostRecent(node);
    if (onAgeList) linkAsNewest(node);
  }

  private void remove(Node<K, V> node) {
    int index = indexFor(node.key.hashCode(), table.length);
    if (table[index] == node) {
      table[index] = node.nextInBucket;
    } else {
      Node<K, V> before = table[index];
      while (before.nextInBucket != node) before = before.nextInBucket;
      before.nextInBucket = node.nextInBucket;
    }
    node.nextInBucket = null;
    size--;
    weight -= node.weight;
    unlinkFromRecency(node);
    unlinkFromAge(node);
    if (node instanceof EarlyNode<K, V> early) earlyExpiries.remove(early);
  }

  private void resize() {
    Node<K, V>[] bigger = newTable(table.length * 2);
    for (Node<K, V> head : table) {
      Node<K, V> node = head;
      while (node != null) {
        Node<K, V> next = node.nextInBucket;
        int index = indexFor(node.key.hashCode(), bigger.length);
        node.nextInBucket = bigger[index];
        bigger[index] = node;
        node = next;
      }
    }
    table = bigger;
  }

  private void linkAsMostRecent(Node<K, V> node) {
    node.lessRecent = mostRecent;
    node.moreRecent = null;
    if (mostRecent != null) mostRecent.moreRecent = node;
    mostRecent = node;
    if (leastRecent == null) leastRecent = node;
  }

  private void unlinkFromRecency(Node<K, V> node) {
    if (node.lessRecent != null) node.lessRecent.moreRecent = node.moreRecent;
    else leastRecent = node.moreRecent;
    if (node.moreRecent != null) node.moreRecent.lessRecent = node.lessRecent;
    else mostRecent = node.lessRecent;
    node.lessRecent = null;
    node.moreRecent = null;
  }

  private void linkAsNewest(Node<K, V> node) {
    node.older = newest;
    if (newest != null) newest.newer = node;
    newest = node;
    if (oldest == null) oldest = node;
  }

  private void unlinkFromAge(Node<K, V> node) {
    if (node.older == null && node.newer == null && oldest != node) return; // never on it: it lives longer
    if (node.older != null) node.older.newer = node.newer;
    else oldest = node.newer;
    if (node.newer != null) node.newer.older = node.older;
    else newest = node.older;
    node.older = null;
    node.newer = null;
  }

  private static int indexFor(int hash, int length) {
    return (hash ^ (hash >>> 16)) & (length - 1);
  }

  @SuppressWarnings("unchecked")
  private static <K, V> Node<K, V>[] newTable(int length) {
    return (Node<K, V>[]) new Node<?, ?>[length];
  }
}
