package com.redisproxy.resp.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class TrackedKeysTest {
  private static ByteString key(String text) {
    return ByteString.fromString(text);
  }

  @Test
  void aChangedKeyIsToldToEveryClientThatReadItAndToNoOther() {
    TrackedKeys table = new TrackedKeys(10);
    table.read(1, key("a"));
    table.read(2, key("a"));
    table.read(3, key("b"));
    assertEquals(Set.of(1L, 2L), new HashSet<>(table.changed(key("a"))));
    assertEquals(List.of(), table.changed(key("c")));
    assertTrue(table.tracks(3, key("b")));
  }

  @Test
  void aClientIsToldOnceThenForgetsTheKeyUntilItReadsItAgain() {
    TrackedKeys table = new TrackedKeys(10);
    table.read(1, key("a"));
    assertEquals(List.of(1L), table.changed(key("a")));
    assertEquals(List.of(), table.changed(key("a")));
    table.read(1, key("a"));
    assertEquals(List.of(1L), table.changed(key("a")));
    assertEquals(0, table.keys());
  }

  @Test
  void pastItsBoundAClientGivesUpItsOldestReadWhichItIsToBeToldOf() {
    TrackedKeys table = new TrackedKeys(2);
    assertEquals(Optional.empty(), table.read(1, key("a")));
    assertEquals(Optional.empty(), table.read(1, key("b")));
    assertEquals(Optional.empty(), table.read(1, key("a"))); // read again: not a new key
    assertEquals(Optional.of(key("a")), table.read(1, key("c")));
    assertEquals(2, table.keysOf(1));
    assertFalse(table.tracks(1, key("a")));
    assertEquals(Optional.empty(), table.read(2, key("a"))); // the bound is each client's own
    assertEquals(List.of(2L), table.changed(key("a")));
  }

  @Test
  void forgettingAKeyDropsItForThatClientOnly() {
    TrackedKeys table = new TrackedKeys(10);
    table.read(1, key("a"));
    table.read(2, key("a"));
    table.forget(1, key("a"));
    assertEquals(List.of(2L), table.changed(key("a")));
  }

  @Test
  void aClientThatStopsOrAFlushLeavesNothingBehind() {
    TrackedKeys table = new TrackedKeys(10);
    table.read(1, key("a"));
    table.read(1, key("b"));
    table.read(2, key("b"));
    table.forgetAll(1);
    assertEquals(0, table.keysOf(1));
    assertEquals(1, table.keys());
    table.clear();
    assertEquals(0, table.keys());
    assertEquals(List.of(), table.changed(key("b")));
  }
}
