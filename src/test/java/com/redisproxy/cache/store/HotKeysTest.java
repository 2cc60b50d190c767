package com.redisproxy.cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class HotKeysTest {
  private static String key(String name) {
    return name;
  }

  private static HotKeys<String> sketch(int capacity, int sampleEvery) {
    return new HotKeys<>(capacity, sampleEvery, name -> name.getBytes(StandardCharsets.UTF_8));
  }

  private static String name(HotKeys.HotKey hot) {
    return new String(hot.key(), StandardCharsets.UTF_8);
  }

  @Test
  void withRoomForEveryKeyTheCountsAreExact() {
    HotKeys<String> hot = sketch(10, 1);
    for (int i = 0; i < 5; i++) hot.read(key("a"));
    for (int i = 0; i < 3; i++) hot.read(key("b"));
    hot.read(key("c"));
    List<HotKeys.HotKey> top = hot.top(2);
    assertEquals(List.of("a", "b"), top.stream().map(HotKeysTest::name).toList());
    assertEquals(5, top.get(0).reads());
    assertEquals(0, top.get(0).maxOvercount());
    assertEquals(8.0 / 9, hot.shareOfTop(2), 1e-9);
  }

  @Test
  void aNewKeyTakesTheLeastCountedCounterAndInheritsItsCountAsPossibleOvercount() {
    HotKeys<String> hot = sketch(2, 1);
    for (int i = 0; i < 4; i++) hot.read(key("a"));
    hot.read(key("b"));
    hot.read(key("c")); // takes b's counter: count 2, of which 1 may be b's
    List<HotKeys.HotKey> top = hot.top(2);
    assertEquals(List.of("a", "c"), top.stream().map(HotKeysTest::name).toList());
    assertEquals(2, top.get(1).reads());
    assertEquals(1, top.get(1).maxOvercount());
  }

  @Test
  void samplingCountsOneReadInNAndScalesBack() {
    HotKeys<String> hot = sketch(4, 8);
    for (int i = 0; i < 800; i++) hot.read(key(i % 2 == 0 ? "even" : "odd"));
    assertEquals(800, hot.reads());
    // reads 0, 8, 16 ... are counted: all of them even
    assertEquals(List.of("even"), hot.top(4).stream().map(HotKeysTest::name).toList());
    assertEquals(800, hot.top(1).get(0).reads());
  }

  /** Space-Saving's guarantee: every key read more than total/capacity times is held, its true count within bounds. */
  @Property(tries = 200)
  void heavyKeysAreAlwaysHeldWithinTheirBounds(@ForAll @IntRange(min = 1, max = 1_000_000) int seed,
      @ForAll @IntRange(min = 2, max = 20) int capacity) {
    Random random = new Random(seed);
    HotKeys<String> hot = sketch(capacity, 1);
    Map<String, Integer> truth = new HashMap<>();
    int total = 2_000;
    for (int i = 0; i < total; i++) {
      // a skewed stream: a few keys often, many keys rarely
      String name = random.nextInt(3) == 0 ? "hot" + random.nextInt(3) : "cold" + random.nextInt(500);
      truth.merge(name, 1, Integer::sum);
      hot.read(key(name));
    }
    Map<String, HotKeys.HotKey> held = new HashMap<>();
    for (HotKeys.HotKey k : hot.top(capacity)) held.put(name(k), k);
    truth.forEach((name, count) -> {
      if (count > total / capacity) assertTrue(held.containsKey(name), name + " read " + count + " times is held");
      HotKeys.HotKey k = held.get(name);
      if (k != null) {
        assertTrue(k.reads() >= count, name + ": never under");
        assertTrue(k.reads() - k.maxOvercount() <= count, name + ": the lower bound holds");
      }
    });
  }
}
