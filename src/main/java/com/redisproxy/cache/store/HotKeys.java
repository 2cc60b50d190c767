package com.redisproxy.cache.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The keys read most, in bounded space: the Space-Saving algorithm (Metwally, Agrawal and El
 * Abbadi, 2005) over a sample of the reads. It keeps {@code capacity} counters; a key not counted
 * yet takes the counter of the least counted key and starts from its count, which becomes the new
 * key's possible overcount ({@code error}). Any key read more than total/capacity times is
 * certain to be held, with {@code count - error <= true count <= count}. Pure and single-threaded:
 * the CacheActor owns it. Counters sit in a min-heap on their count, so a read costs one hash
 * lookup and O(log capacity) swaps at most.
 *
 * <p>Only one read in {@code sampleEvery} is counted (the reads are numbered, so it is exact and
 * deterministic): on the hit path the sketch then costs a counter increment for most reads, and
 * counts and totals are scaled back.
 */
public final class HotKeys<K> {
  /** One of the keys read most: its estimated reads and how many of those may be over. */
  public record HotKey(byte[] key, long reads, long maxOvercount) {}

  private static final class Counter<K> {
    final K key;
    long count;
    long error;
    int heapIndex;

    Counter(K key, long count, long error) {
      this.key = key;
      this.count = count;
      this.error = error;
    }
  }

  private final int capacity;
  private final int sampleEvery;
  private final Map<K, Counter<K>> counters;
  private final Counter<K>[] heap;
  private final Function<K, byte[]> keyBytes;
  private int size;
  private long reads;
  private long sampled;

  /**
   * @param capacity counters kept; the top keys reported are only as good as a fraction of it
   * @param sampleEvery one read in this many is counted (1: every read)
   */
  @SuppressWarnings("unchecked")
  public HotKeys(int capacity, int sampleEvery, Function<K, byte[]> keyBytes) {
    if (capacity < 1 || sampleEvery < 1) throw new IllegalArgumentException("capacity and sampleEvery must be at least 1");
    this.capacity = capacity;
    this.sampleEvery = sampleEvery;
    this.counters = new HashMap<>(capacity * 2);
    this.heap = (Counter<K>[]) new Counter<?>[capacity];
    this.keyBytes = keyBytes;
  }

  /** Counts a read of {@code key} (one in {@code sampleEvery} is looked at). */
  public void read(K key) {
    if (reads++ % sampleEvery != 0) return;
    sampled++;
    Counter<K> counter = counters.get(key);
    if (counter != null) {
      counter.count++;
      siftDown(counter.heapIndex);
    } else if (size < capacity) {
      counter = new Counter<>(key, 1, 0);
      counters.put(key, counter);
      heap[size] = counter;
      counter.heapIndex = size++;
      siftUp(counter.heapIndex);
    } else {
      Counter<K> least = heap[0];
      counters.remove(least.key);
      Counter<K> taking = new Counter<>(key, least.count + 1, least.count);
      counters.put(key, taking);
      heap[0] = taking;
      taking.heapIndex = 0;
      siftDown(0);
    }
  }

  /** The {@code n} keys read most, most read first, their counts scaled back to every read. */
  public List<HotKey> top(int n) {
    Counter<K>[] held = Arrays.copyOf(heap, size);
    Arrays.sort(held, Comparator.comparingLong((Counter<K> counter) -> counter.count).reversed());
    List<HotKey> top = new ArrayList<>(Math.min(n, size));
    for (int i = 0; i < Math.min(n, size); i++) {
      top.add(new HotKey(keyBytes.apply(held[i].key), held[i].count * sampleEvery, held[i].error * sampleEvery));
    }
    return top;
  }

  /** Reads counted since the start, sampled or not. */
  public long reads() {
    return reads;
  }

  /** The share of reads that went to the {@code n} keys read most, by their lower bounds: never over. */
  public double shareOfTop(int n) {
    if (sampled == 0) return 0;
    long guaranteed = 0;
    for (HotKey key : top(n)) guaranteed += (key.reads() - key.maxOvercount()) / sampleEvery;
    return (double) guaranteed / sampled;
  }

  private void siftUp(int index) {
    Counter<K> moving = heap[index];
    while (index > 0) {
      int parent = (index - 1) / 2;
      if (heap[parent].count <= moving.count) break;
      place(heap[parent], index);
      index = parent;
    }
    place(moving, index);
  }

  private void siftDown(int index) {
    Counter<K> moving = heap[index];
    while (true) {
      int child = 2 * index + 1;
      if (child >= size) break;
      if (child + 1 < size && heap[child + 1].count < heap[child].count) child++;
      if (heap[child].count >= moving.count) break;
      place(heap[child], index);
      index = child;
    }
    place(moving, index);
  }

  private void place(Counter<K> counter, int index) {
    heap[index] = counter;
    counter.heapIndex = index;
  }
}
