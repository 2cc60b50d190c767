package com.redisproxy.cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random operations on the store and on an obviously right model of it (an access-ordered
 * LinkedHashMap, scanned in full for expiry) must agree at every step, through table growth,
 * eviction under either bound (keys or weight), early expiry, invalidation and clears.
 */
class LruTtlStoreModelTest {
  private static final long TTL = Duration.ofSeconds(10).toNanos();

  private record Entry(int value, long expiresAt) {}

  // Each entry weighs from 0 to 49.
  private static long weigh(int key, int value) {
    return Math.floorMod(value, 50);
  }

  /** The specification, written plainly: O(n) where the store is O(1). */
  private static final class Model {
    final int capacity;
    final long maxWeight;
    final LinkedHashMap<Integer, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    Model(int capacity, long maxWeight) {
      this.capacity = capacity;
      this.maxWeight = maxWeight;
    }

    long weight;

    long weight() {
      return weight;
    }

    void remove(int key) {
      Entry gone = entries.remove(key);
      if (gone != null) weight -= weigh(key, gone.value);
    }

    void clear() {
      entries.clear();
      weight = 0;
    }

    Integer get(int key, long now) {
      Entry entry = entries.get(key);
      if (entry == null) return null;
      if (now - entry.expiresAt >= 0) {
        remove(key);
        return null;
      }
      return entry.value;
    }

    // The value replaced is gone even when the new one is not kept.
    void put(int key, int value, long ttl, long now) {
      remove(key);
      long weight = weigh(key, value);
      if (capacity == 0 || ttl <= 0 || weight > maxWeight) return;
      if (entries.size() >= capacity || weight() + weight > maxWeight) {
        sweep(now);
        while (entries.size() >= capacity || weight() + weight > maxWeight) {
          remove(entries.keySet().iterator().next());
        }
      }
      entries.put(key, new Entry(value, now + ttl));
      this.weight += weight;
    }

    void sweep(long now) {
      for (Iterator<Map.Entry<Integer, Entry>> all = entries.entrySet().iterator(); all.hasNext(); ) {
        Map.Entry<Integer, Entry> entry = all.next();
        if (now - entry.getValue().expiresAt < 0) continue;
        weight -= weigh(entry.getKey(), entry.getValue().value);
        all.remove();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 7, 100, 1000})
  void agreesWithAPlainModelOverRandomOperations(int capacity) {
    for (long seed = 0; seed < 20; seed++) {
      Random random = new Random(seed * 31 + capacity);
      ManualTicker ticker = new ManualTicker();
      // From a bound that binds before the key count to one that never does.
      long maxWeight = new long[] {0, 10, capacity * 10L, capacity * 30L, Long.MAX_VALUE}[(int) (seed % 5)];
      LruTtlStore<Integer, Integer> store =
          new LruTtlStore<>(capacity, maxWeight, LruTtlStoreModelTest::weigh, TTL, ticker);
      Model model = new Model(capacity, maxWeight);
      int keys = Math.max(4, capacity * 2);
      for (int step = 0; step < 5_000; step++) {
        int key = random.nextInt(keys);
        long now = ticker.read();
        String where = "seed " + seed + ", step " + step;
        switch (random.nextInt(10)) {
          case 0, 1, 2, 3 -> assertEquals(model.get(key, now), store.get(key), where);
          case 4, 5 -> {
            int value = random.nextInt();
            store.put(key, value);
            model.put(key, value, TTL, now);
          }
          case 6 -> {
            int value = random.nextInt();
            long ttl = random.nextInt(3) == 0 ? 0 : (long) random.nextInt(20_000) * 1_000_000L;
            store.put(key, value, ttl);
            model.put(key, value, ttl, now);
          }
          case 7 -> {
            store.sweepExpired();
            model.sweep(now);
          }
          case 8 -> {
            boolean present = model.entries.containsKey(key);
            assertEquals(present, store.invalidate(key), where);
            model.remove(key);
          }
          default -> {
            if (random.nextInt(200) == 0) {
              store.clear();
              model.clear();
            } else {
              ticker.advance(Duration.ofMillis(random.nextInt(1_500)));
            }
          }
        }
        assertEquals(model.entries.size(), store.size(), where);
        assertEquals(model.weight(), store.weight(), where);
        assertTrue(store.size() <= capacity, where);
        assertTrue(store.weight() <= maxWeight, where);
        assertTrue(store.entriesAwaitingEarlyExpiry() <= store.size(), where + ": the expiry heap holds removed entries");
      }
      for (Map.Entry<Integer, Entry> entry : Map.copyOf(model.entries).entrySet()) {
        assertEquals(model.get(entry.getKey(), ticker.read()), store.get(entry.getKey()));
      }
    }
  }
}
