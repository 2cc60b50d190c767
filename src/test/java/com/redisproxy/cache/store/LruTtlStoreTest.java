package com.redisproxy.cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LruTtlStoreTest {
  private static final Duration TTL = Duration.ofSeconds(10);
  private final ManualTicker ticker = new ManualTicker();

  private LruTtlStore<String, String> store(int capacity) {
    return new LruTtlStore<>(capacity, Long.MAX_VALUE, (key, value) -> 0, TTL.toNanos(), ticker);
  }

  @Test
  void returnsWhatWasPutAndNullForUnknownKeys() {
    LruTtlStore<String, String> store = store(3);
    store.put("a", "1");
    assertEquals("1", store.get("a"));
    assertNull(store.get("b"));
  }

  @Test
  void invalidateIfRemovesExactlyTheMatchingKeysAndKeepsTheRecencyOfTheRest() {
    LruTtlStore<String, String> store = store(3);
    store.put("x1", "1");
    store.put("y", "2");
    store.put("x2", "3");
    assertEquals(2, store.invalidateIf(key -> key.startsWith("x")));
    assertEquals(1, store.size());
    assertNull(store.get("x1"));
    assertNull(store.get("x2"));
    store.put("z1", "4");
    store.put("z2", "5");
    store.put("z3", "6"); // evicts y, the least recently read
    assertNull(store.get("y"));
    assertEquals(3, store.size());
  }

  @Test
  void entryLivesUntilJustBeforeItsExpiryAndIsGoneExactlyAtIt() {
    LruTtlStore<String, String> store = store(3);
    store.put("a", "1");
    ticker.advance(TTL.minusNanos(1));
    assertEquals("1", store.get("a"));
    ticker.advance(Duration.ofNanos(1));
    assertNull(store.get("a"));
    assertEquals(0, store.size());
    assertEquals(1, store.expirations());
  }

  @Test
  void readsDoNotExtendExpiry() {
    LruTtlStore<String, String> store = store(3);
    store.put("a", "1");
    for (int i = 0; i < 9; i++) {
      ticker.advance(Duration.ofSeconds(1));
      assertEquals("1", store.get("a"));
    }
    ticker.advance(Duration.ofSeconds(1));
    assertNull(store.get("a"));
  }

  @Test
  void replacingAKeyRestartsItsTimeToLive() {
    LruTtlStore<String, String> store = store(3);
    store.put("a", "1");
    ticker.advance(Duration.ofSeconds(6));
    store.put("a", "2");
    ticker.advance(Duration.ofSeconds(6));
    assertEquals("2", store.get("a"));
    assertEquals(1, store.size());
  }

  @Test
  void evictsTheLeastRecentlyReadKeyNotTheOldest() {
    LruTtlStore<String, String> store = store(3);
    store.put("a", "1");
    store.put("b", "2");
    store.put("c", "3");
    store.get("a");
    store.put("d", "4");
    assertNull(store.get("b"));
    assertEquals("1", store.get("a"));
    assertEquals("3", store.get("c"));
    assertEquals("4", store.get("d"));
  }

  @Test
  void evictsExactlyOneKeyAtCapacityPlusOne() {
    LruTtlStore<String, String> store = store(3);
    for (String key : new String[] {"a", "b", "c", "d"}) store.put(key, key);
    assertEquals(3, store.size());
    assertEquals(1, store.evictions());
    assertNull(store.get("a"));
  }

  @Test
  void capacityOneKeepsOnlyTheLastKey() {
    LruTtlStore<String, String> store = store(1);
    store.put("a", "1");
    store.put("b", "2");
    assertNull(store.get("a"));
    assertEquals("2", store.get("b"));
  }

  @Test
  void capacityZeroCachesNothing() {
    LruTtlStore<String, String> store = store(0);
    store.put("a", "1");
    assertNull(store.get("a"));
    assertEquals(0, store.size());
  }

  @Test
  void expiredEntriesMakeRoomBeforeAnyLiveKeyIsEvicted() {
    LruTtlStore<String, String> store = store(2);
    store.put("old", "1");
    ticker.advance(Duration.ofSeconds(5));
    store.put("young", "2");
    ticker.advance(Duration.ofSeconds(5));
    store.put("new", "3");
    assertEquals("2", store.get("young"));
    assertEquals(0, store.evictions());
    assertEquals(1, store.expirations());
  }

  @Test
  void sweepRemovesOnlyExpiredEntries() {
    LruTtlStore<String, String> store = store(10);
    store.put("a", "1");
    store.put("b", "2");
    ticker.advance(Duration.ofSeconds(5));
    store.put("c", "3");
    ticker.advance(Duration.ofSeconds(5));
    assertEquals(2, store.sweepExpired());
    assertEquals(1, store.size());
    assertEquals("3", store.get("c"));
  }

  @Test
  void invalidateAndClearRemoveEntries() {
    LruTtlStore<String, String> store = store(10);
    store.put("a", "1");
    store.put("b", "2");
    assertEquals(true, store.invalidate("a"));
    assertEquals(false, store.invalidate("a"));
    assertNull(store.get("a"));
    store.clear();
    assertEquals(0, store.size());
    store.put("c", "3");
    assertEquals("3", store.get("c"));
  }

  @Test
  void rejectsNegativeCapacity() {
    assertThrows(IllegalArgumentException.class, () -> store(-1));
  }

  @Test
  void aTimeToLiveOfItsOwnEndsAnEntryEarlierOrLaterThanTheGlobalOne() {
    LruTtlStore<String, String> store = store(10);
    store.put("redis-ttl", "1", Duration.ofSeconds(3).toNanos());
    store.put("long-ttl", "2", Duration.ofSeconds(30).toNanos());
    store.put("global", "3");
    ticker.advance(Duration.ofSeconds(3).minusNanos(1));
    assertEquals("1", store.get("redis-ttl"));
    ticker.advance(Duration.ofNanos(1));
    assertNull(store.get("redis-ttl"));
    ticker.advance(Duration.ofSeconds(7).minusNanos(1));
    assertEquals("3", store.get("global"));
    ticker.advance(Duration.ofNanos(1));
    assertNull(store.get("global"));
    assertEquals("2", store.get("long-ttl"), "its own 30 s, longer than the global 10 s (a rule's expiry)");
    ticker.advance(Duration.ofSeconds(20));
    assertNull(store.get("long-ttl"));
  }

  @Test
  void sweepFindsShortLivedEntriesBehindLongerLivedOnes() {
    LruTtlStore<String, String> store = store(10);
    store.put("long", "1");
    store.put("short", "2", Duration.ofSeconds(1).toNanos());
    store.put("replaced", "3", Duration.ofSeconds(1).toNanos());
    store.put("replaced", "4");
    ticker.advance(Duration.ofSeconds(1));
    assertEquals(1, store.sweepExpired());
    assertEquals(2, store.size());
    assertEquals("4", store.get("replaced"));
  }

  @Test
  void aZeroTimeToLiveIsNotCached() {
    LruTtlStore<String, String> store = store(10);
    store.put("a", "1", 0);
    assertEquals(0, store.size());
  }

  @Test
  void shorterLivedEntriesThatAreEvictedReplacedOrInvalidatedLeaveTheExpiryHeapAtOnce() {
    LruTtlStore<String, String> store = store(10);
    long shortTtl = TTL.toNanos() / 2;
    for (int i = 0; i < 10_000; i++) store.put("churn" + i, "v", shortTtl);
    assertEquals(10, store.size());
    assertEquals(10, store.entriesAwaitingEarlyExpiry());
    store.put("churn9999", "replaced", shortTtl);
    store.invalidate("churn9998");
    assertEquals(9, store.entriesAwaitingEarlyExpiry());
    store.put("long-lived", "v");
    assertEquals(9, store.entriesAwaitingEarlyExpiry());
    store.clear();
    assertEquals(0, store.entriesAwaitingEarlyExpiry());
  }

  @Test
  void shorterLivedEntriesStillExpireInTheirOwnOrderAfterRemovalsFromTheMiddle() {
    LruTtlStore<String, String> store = store(100);
    for (int i = 1; i <= 50; i++) store.put("k" + i, "v", Duration.ofMillis(i * 100L).toNanos());
    for (int i = 2; i <= 50; i += 3) store.invalidate("k" + i);
    for (int i = 1; i <= 50; i++) {
      ticker.advance(Duration.ofMillis(100));
      store.sweepExpired();
      for (int j = 1; j <= 50; j++) {
        boolean shouldLive = j > i && (j - 2) % 3 != 0;
        assertEquals(shouldLive, store.get("k" + j) != null, "k" + j + " after " + i * 100 + " ms");
      }
    }
    assertEquals(0, store.entriesAwaitingEarlyExpiry());
  }

  @Test
  void anEntryGivenALongerLifeOutlivesTheGlobalOneAndDoesNotHoldBackTheSweep() {
    LruTtlStore<String, String> store = store(3);
    store.put("long", "1", TTL.multipliedBy(3).toNanos());
    store.put("short", "2");
    ticker.advance(TTL);
    assertEquals(1, store.sweepExpired(), "the global one behind the long-lived one is swept");
    assertEquals("1", store.get("long"));
    ticker.advance(TTL.multipliedBy(2).minusNanos(1));
    assertEquals("1", store.get("long"));
    ticker.advance(Duration.ofNanos(1));
    assertEquals(1, store.sweepExpired());
    assertEquals(0, store.size());
  }

  @Test
  void aReloadShrinksTheBoundsAtOnceAndTheNewExpiryAppliesToNewEntries() {
    LruTtlStore<String, String> store = store(3);
    store.put("a", "1");
    store.put("b", "2");
    store.put("c", "3");
    store.get("a");
    store.reconfigure(2, Long.MAX_VALUE, TTL.multipliedBy(2).toNanos());
    assertEquals(2, store.size());
    assertNull(store.get("b"), "the least recently read went");
    store.put("d", "4");
    ticker.advance(TTL);
    assertNull(store.get("a"), "an entry keeps the expiry it was given");
    assertEquals("4", store.get("d"), "a new entry lives the new expiry");
    ticker.advance(TTL);
    assertNull(store.get("d"));
  }
}
