package com.redisproxy.cache;

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
 * eviction, early expiry, invalidation and clears.
 */
class LruTtlStoreModelTest {
  private static final long TTL = Duration.ofSeconds(10).toNanos();

  private record Entry(int value, long expiresAt) {}

  /** The specification, written plainly: O(n) where the store is O(1). */
  private static final class Model {
    final int capacity;
    final LinkedHashMap<Integer, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    Model(int capacity) {
      this.capacity = capacity;
    }

    Integer get(int key, long now) {
      Entry entry = entries.get(key);
      if (entry == null) return null;
      if (now - entry.expiresAt >= 0) {
        entries.remove(key);
        return null;
      }
      return entry.value;
    }

    void put(int key, int value, long ttl, long now) {
      if (capacity == 0 || ttl <= 0) return;
      entries.remove(key);
      if (entries.size() >= capacity) {
        sweep(now);
        if (entries.size() >= capacity) {
          Iterator<Integer> leastRecent = entries.keySet().iterator();
          leastRecent.next();
          leastRecent.remove();
        }
      }
      entries.put(key, new Entry(value, now + Math.min(ttl, TTL)));
    }

    void sweep(long now) {
      entries.values().removeIf(entry -> now - entry.expiresAt >= 0);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 7, 100, 1000})
  void agreesWithAPlainModelOverRandomOperations(int capacity) {
    for (long seed = 0; seed < 20; seed++) {
      Random random = new Random(seed * 31 + capacity);
      ManualTicker ticker = new ManualTicker();
      LruTtlStore<Integer, Integer> store = new LruTtlStore<>(capacity, TTL, ticker);
      Model model = new Model(capacity);
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
            model.entries.remove(key);
          }
          default -> {
            if (random.nextInt(200) == 0) {
              store.clear();
              model.entries.clear();
            } else {
              ticker.advance(Duration.ofMillis(random.nextInt(1_500)));
            }
          }
        }
        assertEquals(model.entries.size(), store.size(), where);
        assertTrue(store.size() <= capacity, where);
        assertTrue(store.entriesAwaitingEarlyExpiry() <= store.size(), where + ": the expiry heap holds removed entries");
      }
      for (Map.Entry<Integer, Entry> entry : Map.copyOf(model.entries).entrySet()) {
        assertEquals(model.get(entry.getKey(), ticker.read()), store.get(entry.getKey()));
      }
    }
  }
}
