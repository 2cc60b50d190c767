package com.redisproxy.cache;

import com.redisproxy.cache.settings.CacheSettings;
import com.redisproxy.cache.settings.KeyRules;
import com.redisproxy.cache.store.ManualTicker;
import com.redisproxy.cache.store.Ticker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.fetch.FetchError;
import com.redisproxy.fetch.FetchResult;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CacheActorTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  private static final Duration EXPIRY = Duration.ofSeconds(60);
  private static final Duration SWEEP = Duration.ofSeconds(1);
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration DEADLINE_CHECK = FETCH_TIMEOUT.dividedBy(8);

  private final ManualTicker ticker = new ManualTicker();
  private final TestProbe<RedisFetcher.Command> fetcher = testKit.createTestProbe();
  private final TestProbe<GetResult> client = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<CacheActor.Command> cache(int capacity) {
    return cache(capacity, 10_000);
  }

  private final InvalidationInbox invalidations = new InvalidationInbox(1000);

  private ActorRef<CacheActor.Command> cache(int capacity, int maxFetchesInFlight) {
    return cache(settings(capacity, maxFetchesInFlight));
  }

  private ActorRef<CacheActor.Command> cache(CacheSettings settings) {
    return testKit.spawn(CacheActor.create(settings, fetcher.getRef(), invalidations, ticker));
  }

  private static CacheSettings settings(int capacity, int maxFetchesInFlight) {
    return CacheSettings.defaults()
        .withCapacity(capacity)
        .withExpiry(EXPIRY)
        .withSweepInterval(SWEEP)
        .withMaxValueBytes(1024)
        .withMaxFetchesInFlight(maxFetchesInFlight)
        .withFetchTimeout(FETCH_TIMEOUT);
  }

  private static CacheKey key(String text) {
    return CacheKey.of(bytes(text));
  }

  private static ByteString bytes(String text) {
    return ByteString.fromString(text);
  }

  private RedisFetcher.Fetch expectFetch(String key) {
    RedisFetcher.Fetch fetch = fetcher.expectMessageClass(RedisFetcher.Fetch.class);
    assertEquals(bytes(key), fetch.key());
    return fetch;
  }

  private static void answer(RedisFetcher.Fetch fetch, String value) {
    fetch.replyTo().tell(new FetchResult.Fetched(fetch.requestId(), fetch.key(), value == null ? null : bytes(value), RedisValue.NO_EXPIRY));
  }

  /** Reads a key that is expected to be cached already: no fetch may happen. */
  private void assertHit(ActorRef<CacheActor.Command> cache, String key, String value) {
    cache.tell(new CacheActor.Get(bytes(key), client.getRef()));
    assertEquals(new GetResult.Found(bytes(value), true), client.receiveMessage());
    fetcher.expectNoMessage(Duration.ofMillis(20));
  }

  /** Reads a key that must be fetched; Redis answers {@code value}. */
  private void readThrough(ActorRef<CacheActor.Command> cache, String key, String value) {
    cache.tell(new CacheActor.Get(bytes(key), client.getRef()));
    answer(expectFetch(key), value);
    assertEquals(new GetResult.Found(bytes(value), false), client.receiveMessage());
  }

  private CacheStats stats(ActorRef<CacheActor.Command> cache) {
    TestProbe<CacheStats> probe = testKit.createTestProbe();
    cache.tell(new CacheActor.GetStats(probe.getRef()));
    return probe.receiveMessage();
  }

  @Test
  void missFetchesFromRedisThenHitsFromCache() {
    var cache = cache(10);
    readThrough(cache, "k", "v");
    assertHit(cache, "k", "v");
    CacheStats stats = stats(cache);
    assertEquals(1, stats.hits());
    assertEquals(1, stats.misses());
    assertEquals(1, stats.size());
  }

  @Test
  void getsValueIsKeptAsRedisFramedItsReplyAndAHitCarriesThoseBytes() {
    var cache = cache(10);
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("k");
    ByteString framed = bytes("$1\r\nv\r\n");
    fetch.replyTo().tell(new FetchResult.Fetched(fetch.requestId(), fetch.key(), List.of(), false, framed.slice(4, 5),
        RedisValue.NO_EXPIRY, true, framed));
    GetResult.Found miss = (GetResult.Found) client.receiveMessage();
    assertEquals(bytes("v"), miss.value());
    assertEquals(framed, miss.bulk());
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    GetResult.Found hit = (GetResult.Found) client.receiveMessage();
    assertEquals(bytes("v"), hit.value());
    assertEquals(framed, hit.bulk());
    // what the entry weighs is what the store holds: the key, the framed value and the overhead
    assertEquals(CacheEntries.ENTRY_OVERHEAD + 1 + framed.size(), stats(cache).bytes());
  }

  @Test
  void aValueFetchedWithoutItsFramingIsFramedOnceWhenKept() {
    var cache = cache(10);
    readThrough(cache, "k", "hello"); // as a cluster's fetch answers: the value alone
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    assertEquals(bytes("$5\r\nhello\r\n"), ((GetResult.Found) client.receiveMessage()).bulk());
  }

  @Test
  void aValueRedisMayNotInvalidateAnswersItsWaitersAndIsNotCached() {
    var cache = cache(10);
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("k");
    fetch.replyTo().tell(new FetchResult.Fetched(fetch.requestId(), fetch.key(), bytes("untracked"), RedisValue.NO_EXPIRY, false));
    assertEquals(new GetResult.Found(bytes("untracked"), false), client.receiveMessage());
    readThrough(cache, "k", "tracked");
    assertHit(cache, "k", "tracked");
  }

  @Test
  void getCachedAnswersHitsAndNotCachedForTheRestWithoutFetchingOrCountingAMiss() {
    var cache = cache(10);
    readThrough(cache, "k", "v");
    TestProbe<List<Lookup>> batch = testKit.createTestProbe();
    cache.tell(new CacheActor.GetCached(List.of(key("absent"), key("k")), batch.getRef()));
    assertEquals(List.of(Lookup.NotCached.INSTANCE, new GetResult.Found(bytes("v"), true)), batch.receiveMessage());
    fetcher.expectNoMessage(Duration.ofMillis(50));
    CacheStats stats = stats(cache);
    assertEquals(1, stats.hits());
    assertEquals(1, stats.misses(), "only the read-through's miss");
  }

  @Test
  void aRuleKeepsKeysOutOfTheCacheOrGivesThemTheirOwnExpiry() {
    KeyRules rules = new KeyRules(List.of(KeyRules.Rule.notCached("volatile:*"), KeyRules.Rule.cachedFor("hot:*", EXPIRY.multipliedBy(10))),
        (pattern, key) -> new String(key, java.nio.charset.StandardCharsets.UTF_8)
            .startsWith(new String(pattern, java.nio.charset.StandardCharsets.UTF_8).replace("*", "")));
    var cache = cache(settings(10, 100).withRules(rules));
    readThrough(cache, "volatile:1", "v");
    readThrough(cache, "volatile:1", "v"); // fetched again: never kept
    readThrough(cache, "hot:1", "h");
    readThrough(cache, "other", "o");
    ticker.advance(EXPIRY);
    assertHit(cache, "hot:1", "h");
    readThrough(cache, "other", "o"); // the global expiry ended it
    ticker.advance(EXPIRY.multipliedBy(9));
    readThrough(cache, "hot:1", "h");
  }

  @Test
  void aReloadShrinksTheCacheAndItsRulesApplyToWhatIsFetchedNext() {
    var cache = cache(10);
    readThrough(cache, "a", "1");
    readThrough(cache, "b", "2");
    readThrough(cache, "c", "3");
    KeyRules offForA = new KeyRules(List.of(KeyRules.Rule.notCached("a")), java.util.Arrays::equals);
    cache.tell(new CacheActor.Reconfigure(settings(1, 100).withRules(offForA)));
    CacheStats stats = stats(cache);
    assertEquals(1, stats.capacity());
    assertEquals(1, stats.size());
    assertHit(cache, "c", "3");
    readThrough(cache, "a", "1");
    readThrough(cache, "a", "1"); // a rule now keeps it out
  }

  @Test
  void theKeysReadMostAreInTheStatsHitOrNot() {
    var cache = cache(10);
    readThrough(cache, "hot", "v");
    TestProbe<List<Lookup>> batch = testKit.createTestProbe();
    for (int i = 0; i < 79; i++) {
      cache.tell(new CacheActor.GetCached(List.of(key("hot"), key("warm" + (i % 2)), key("cold" + i)), batch.getRef()));
      batch.receiveMessage();
    }
    CacheStats stats = stats(cache);
    assertEquals("hot", new String(stats.hotKeys().get(0).key(), java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(stats.hotKeys().get(0).reads() >= 80, "one read in 8 counted, scaled back: " + stats.hotKeys().get(0).reads());
    assertTrue(stats.hotKeysShare() > 0.3 && stats.hotKeysShare() <= 1, "hot is a third of the reads: " + stats.hotKeysShare());
  }

  @Test
  void absentKeyAnswersNotFoundAndIsNotCached() {
    var cache = cache(10);
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    answer(expectFetch("k"), null);
    assertEquals(GetResult.NotFound.INSTANCE, client.receiveMessage());
    readThrough(cache, "k", "now-set");
  }

  @Test
  void withTrackingAnAbsentKeyIsCachedAsAbsentUntilItsInvalidation() {
    var cache = cache(settings(10, 10_000).withCachesAbsentKeys(true));
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    answer(expectFetch("k"), null);
    assertEquals(GetResult.NotFound.INSTANCE, client.receiveMessage());
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    assertEquals(GetResult.NotFound.INSTANCE, client.receiveMessage());
    fetcher.expectNoMessage(Duration.ofMillis(20));
    TestProbe<List<Lookup>> cached = testKit.createTestProbe();
    cache.tell(new CacheActor.GetCached(List.of(key("k"), key("other")), cached.getRef()));
    assertEquals(List.of(GetResult.NotFound.INSTANCE, Lookup.NotCached.INSTANCE), cached.receiveMessage());
    invalidations.invalidated(List.of(bytes("k"))); // Redis reports the key's creation
    readThrough(cache, "k", "now-set");
  }

  @Test
  void anEmptyValueIsAValueNotAnAbsence() {
    var cache = cache(settings(10, 10_000).withCachesAbsentKeys(true));
    readThrough(cache, "empty", "");
    assertHit(cache, "empty", "");
  }

  @Test
  void anAbsenceInvalidatedWhileItsFetchWasInFlightIsNotCached() {
    var cache = cache(settings(10, 10_000).withCachesAbsentKeys(true));
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("k");
    invalidations.invalidated(List.of(bytes("k")));
    answer(fetch, null);
    assertEquals(GetResult.NotFound.INSTANCE, client.receiveMessage());
    readThrough(cache, "k", "created-meanwhile");
  }

  @Test
  void entryExpiresExactlyAtTheGlobalExpiryAndReadsDoNotExtendIt() {
    var cache = cache(10);
    readThrough(cache, "k", "v1");
    ticker.advance(EXPIRY.minusSeconds(1));
    assertHit(cache, "k", "v1");
    ticker.advance(Duration.ofSeconds(1).minusNanos(1));
    assertHit(cache, "k", "v1");
    ticker.advance(Duration.ofNanos(1));
    readThrough(cache, "k", "v2");
  }

  @Test
  void sweepFreesExpiredEntriesWithoutReads() {
    var cache = cache(10);
    readThrough(cache, "a", "1");
    readThrough(cache, "b", "2");
    assertEquals(2, stats(cache).size());
    ticker.advance(EXPIRY);
    manualTime.timePasses(SWEEP);
    CacheStats stats = stats(cache);
    assertEquals(0, stats.size());
    assertEquals(2, stats.expirations());
  }

  @Test
  void evictsLeastRecentlyReadKeyAtCapacityPlusOne() {
    var cache = cache(2);
    readThrough(cache, "a", "1");
    readThrough(cache, "b", "2");
    assertHit(cache, "a", "1");
    readThrough(cache, "c", "3");
    assertEquals(1, stats(cache).evictions());
    assertHit(cache, "a", "1");
    assertHit(cache, "c", "3");
    readThrough(cache, "b", "2");
  }

  @Test
  void capacityOneHoldsOneKey() {
    var cache = cache(1);
    readThrough(cache, "a", "1");
    readThrough(cache, "b", "2");
    assertHit(cache, "b", "2");
    readThrough(cache, "a", "1");
  }

  @Test
  void capacityZeroPassesEveryReadThrough() {
    var cache = cache(0);
    readThrough(cache, "a", "1");
    readThrough(cache, "a", "2");
    assertEquals(0, stats(cache).size());
  }

  @Test
  void valuesOverTheSizeLimitAreServedButNotCached() {
    var cache = cache(10);
    String big = "x".repeat(1025); // one byte over the limit of 1024 that cache() sets
    cache.tell(new CacheActor.Get(bytes("big"), client.getRef()));
    answer(expectFetch("big"), big);
    assertEquals(new GetResult.Found(bytes(big), false), client.receiveMessage(), "served");
    assertEquals(0, stats(cache).size(), "not cached");
    cache.tell(new CacheActor.Get(bytes("big"), client.getRef()));
    answer(expectFetch("big"), big);
    assertEquals(new GetResult.Found(bytes(big), false), client.receiveMessage(), "read from Redis again, not a hit");
    assertEquals(0, stats(cache).hits());
  }

  @Test
  void concurrentMissesForOneKeyShareOneFetch() {
    var cache = cache(10);
    List<TestProbe<GetResult>> clients = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      TestProbe<GetResult> probe = testKit.createTestProbe();
      clients.add(probe);
      cache.tell(new CacheActor.Get(bytes("k"), probe.getRef()));
    }
    answer(expectFetch("k"), "v");
    fetcher.expectNoMessage(Duration.ofMillis(50));
    for (TestProbe<GetResult> probe : clients) {
      assertEquals(new GetResult.Found(bytes("v"), false), probe.receiveMessage());
    }
    assertEquals(99, stats(cache).coalescedMisses());
  }

  @Test
  void fetchFailureReachesEveryWaiterAndIsNotCached() {
    var cache = cache(10);
    TestProbe<GetResult> other = testKit.createTestProbe();
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    cache.tell(new CacheActor.Get(bytes("k"), other.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("k");
    fetch.replyTo().tell(new FetchResult.FetchFailed(fetch.requestId(), fetch.key(), FetchError.REDIS_ERROR, "WRONGTYPE x"));
    var expected = new GetResult.Failed(GetResult.Reason.REDIS_ERROR, "WRONGTYPE x");
    assertEquals(expected, client.receiveMessage());
    assertEquals(expected, other.receiveMessage());
    readThrough(cache, "k", "v");
  }

  @Test
  void fetcherThatNeverAnswersEndsInATimeoutAndItsLateValueIsNotCached() {
    var cache = cache(10);
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("k");
    ticker.advance(FETCH_TIMEOUT.minusNanos(1));
    manualTime.timePasses(FETCH_TIMEOUT);
    client.expectNoMessage(Duration.ofMillis(20));
    ticker.advance(Duration.ofNanos(1));
    manualTime.timePasses(DEADLINE_CHECK);
    GetResult.Failed failed = assertInstanceOf(GetResult.Failed.class, client.receiveMessage());
    assertEquals(GetResult.Reason.REDIS_TIMEOUT, failed.reason());
    answer(fetch, "late");
    assertEquals(0, stats(cache).size());
    assertEquals(0, stats(cache).fetchesInFlight());
    readThrough(cache, "k", "fresh");
  }

  @Test
  void refusesMissesBeyondTheFetchesInFlightLimit() {
    var cache = cache(10, 1);
    cache.tell(new CacheActor.Get(bytes("a"), client.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("a");
    TestProbe<GetResult> refused = testKit.createTestProbe();
    cache.tell(new CacheActor.Get(bytes("b"), refused.getRef()));
    GetResult.Failed failed = assertInstanceOf(GetResult.Failed.class, refused.receiveMessage());
    assertEquals(GetResult.Reason.OVERLOADED, failed.reason());
    answer(fetch, "1");
    assertEquals(new GetResult.Found(bytes("1"), false), client.receiveMessage());
  }

  @Test
  void getAllAnswersInKeyOrderOnceEveryKeyIsIn() {
    var cache = cache(10);
    readThrough(cache, "cached", "c");
    cache.tell(new CacheActor.Get(bytes("slow"), client.getRef()));
    RedisFetcher.Fetch slow = expectFetch("slow");
    TestProbe<List<GetResult>> batch = testKit.createTestProbe();
    cache.tell(new CacheActor.GetAll(List.of(key("slow"), key("cached"), key("absent")), batch.getRef()));
    RedisFetcher.Fetch absent = expectFetch("absent"); // "slow" shares the fetch in flight
    answer(absent, null);
    batch.expectNoMessage(Duration.ofMillis(20));
    answer(slow, "s");
    assertEquals(new GetResult.Found(bytes("s"), false), client.receiveMessage());
    assertEquals(
        List.of(new GetResult.Found(bytes("s"), false), new GetResult.Found(bytes("c"), true), GetResult.NotFound.INSTANCE),
        batch.receiveMessage());
  }

  @Test
  void readAnswersHitsAtOnceAndTheMissesTogetherOnceFetchedInOneFetchAll() throws Exception {
    var cache = cache(10);
    readThrough(cache, "cached", "c");
    TestProbe<CacheActor.Lookups> reply = testKit.createTestProbe();
    cache.tell(new CacheActor.Read(List.of(key("a"), key("cached"), key("b"), key("a")), reply.getRef()));
    CacheActor.Lookups lookups = reply.receiveMessage();
    assertEquals(List.of(Lookup.NotCached.INSTANCE, new GetResult.Found(bytes("c"), true), Lookup.NotCached.INSTANCE,
        Lookup.NotCached.INSTANCE), lookups.cached());
    CompletableFuture<List<GetResult>> fetched = lookups.fetched().toCompletableFuture();
    RedisFetcher.FetchAll all = fetcher.expectMessageClass(RedisFetcher.FetchAll.class);
    assertEquals(List.of(bytes("a"), bytes("b")), all.wanted().stream().map(RedisFetcher.Wanted::key).toList(),
        "the second a shares the first's fetch");
    fetcher.expectNoMessage(Duration.ofMillis(20));
    assertFalse(fetched.isDone());
    RedisFetcher.Wanted a = all.wanted().get(0);
    RedisFetcher.Wanted b = all.wanted().get(1);
    all.replyTo().tell(new RedisFetcher.AllFetched(List.of(
        new FetchResult.Fetched(a.requestId(), a.key(), bytes("1"), RedisValue.NO_EXPIRY),
        new FetchResult.FetchFailed(b.requestId(), b.key(), FetchError.UNAVAILABLE, "down"))));
    assertEquals(List.of(new GetResult.Found(bytes("1"), false), new GetResult.Failed(GetResult.Reason.REDIS_UNAVAILABLE, "down"),
        new GetResult.Found(bytes("1"), false)), fetched.get(5, TimeUnit.SECONDS));
    assertHit(cache, "a", "1");
    CacheStats stats = stats(cache);
    assertEquals(2, stats.hits(), "cached in the batch, and a after it");
    assertEquals(4, stats.misses(), "the read-through's, and a, b and a again in the batch");
  }

  @Test
  void readOfHitsOnlyFetchesNothingAndItsFetchedAreDoneAndEmpty() {
    var cache = cache(10);
    readThrough(cache, "k", "v");
    TestProbe<CacheActor.Lookups> reply = testKit.createTestProbe();
    cache.tell(new CacheActor.Read(List.of(key("k"), key("k")), reply.getRef()));
    CacheActor.Lookups lookups = reply.receiveMessage();
    assertEquals(List.of(new GetResult.Found(bytes("v"), true), new GetResult.Found(bytes("v"), true)), lookups.cached());
    assertEquals(List.of(), lookups.fetched().toCompletableFuture().getNow(null));
    fetcher.expectNoMessage(Duration.ofMillis(20));
  }

  @Test
  void readBeyondTheFetchLimitIsRefusedForTheKeysNotCachedOnly() throws Exception {
    var cache = cache(10, 1);
    readThrough(cache, "cached", "c");
    TestProbe<CacheActor.Lookups> reply = testKit.createTestProbe();
    cache.tell(new CacheActor.Read(List.of(key("a"), key("b"), key("cached")), reply.getRef()));
    CacheActor.Lookups lookups = reply.receiveMessage();
    assertEquals(new GetResult.Found(bytes("c"), true), lookups.cached().get(2));
    RedisFetcher.Fetch a = expectFetch("a");
    answer(a, "1");
    assertEquals(List.of(new GetResult.Found(bytes("1"), false),
            new GetResult.Failed(GetResult.Reason.OVERLOADED, "too many fetches in flight")),
        lookups.fetched().toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  @Test
  void aFailureWhileAReadsMissesAreStartedAnswersEveryOneOfThem() throws Exception {
    AtomicBoolean broken = new AtomicBoolean();
    // The clock is read as a miss's fetch starts (not for a lookup of an absent key): a bug of ours there.
    Ticker breaks = () -> {
      if (broken.get()) throw new IllegalStateException("a bug of ours");
      return ticker.read();
    };
    var cache = testKit.spawn(CacheActor.create(settings(10, 10_000), fetcher.getRef(), invalidations, breaks));
    TestProbe<CacheActor.Lookups> reply = testKit.createTestProbe();
    broken.set(true);
    cache.tell(new CacheActor.Read(List.of(key("a"), key("b")), reply.getRef()));
    CacheActor.Lookups lookups = reply.receiveMessage();
    assertEquals(List.of(Lookup.NotCached.INSTANCE, Lookup.NotCached.INSTANCE), lookups.cached());
    List<GetResult> fetched = lookups.fetched().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(2, fetched.size());
    for (GetResult result : fetched) assertEquals(GetResult.Reason.OVERLOADED, ((GetResult.Failed) result).reason());
    broken.set(false);
    assertEquals(1, stats(cache).restarts());
  }

  @Test
  void theMissesOfOneBatchGoToAFetcherTogetherAndAreAnsweredTogether() {
    var cache = cache(10);
    readThrough(cache, "cached", "c");
    TestProbe<List<GetResult>> batch = testKit.createTestProbe();
    cache.tell(new CacheActor.GetAll(List.of(key("a"), key("cached"), key("b"), key("a")), batch.getRef()));
    RedisFetcher.FetchAll all = fetcher.expectMessageClass(RedisFetcher.FetchAll.class);
    assertEquals(List.of(bytes("a"), bytes("b")), all.wanted().stream().map(RedisFetcher.Wanted::key).toList());
    fetcher.expectNoMessage(Duration.ofMillis(20));
    RedisFetcher.Wanted a = all.wanted().get(0);
    RedisFetcher.Wanted b = all.wanted().get(1);
    all.replyTo().tell(new RedisFetcher.AllFetched(List.of(
        new FetchResult.Fetched(a.requestId(), a.key(), bytes("1"), RedisValue.NO_EXPIRY),
        new FetchResult.FetchFailed(b.requestId(), b.key(), FetchError.UNAVAILABLE, "down"))));
    assertEquals(List.of(new GetResult.Found(bytes("1"), false), new GetResult.Found(bytes("c"), true),
            new GetResult.Failed(GetResult.Reason.REDIS_UNAVAILABLE, "down"), new GetResult.Found(bytes("1"), false)),
        batch.receiveMessage());
    assertHit(cache, "a", "1");
  }

  @Test
  void redisOwnShorterTtlEndsTheEntryEarly() {
    var cache = cache(10);
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("k");
    ticker.advance(Duration.ofMillis(100)); // the round trip: the TTL counts from the send
    fetch.replyTo().tell(new FetchResult.Fetched(fetch.requestId(), fetch.key(), bytes("v1"), 5_000));
    assertEquals(new GetResult.Found(bytes("v1"), false), client.receiveMessage());
    ticker.advance(Duration.ofMillis(4_899));
    assertHit(cache, "k", "v1");
    ticker.advance(Duration.ofMillis(1));
    readThrough(cache, "k", "v2");
  }

  @Test
  void anInvalidatedKeyIsReadFromRedisAgain() {
    var cache = cache(10);
    readThrough(cache, "a", "1");
    readThrough(cache, "b", "2");
    invalidations.invalidated(List.of(bytes("a"), bytes("not-cached")));
    readThrough(cache, "a", "1-new");
    assertHit(cache, "b", "2");
    CacheStats stats = stats(cache);
    assertEquals(1, stats.keysInvalidated());
    assertEquals(1, stats.invalidationMessages());
  }

  @Test
  void aValueWhoseKeyChangedWhileItWasFetchedIsServedButNotCached() {
    var cache = cache(10);
    cache.tell(new CacheActor.Get(bytes("k"), client.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("k");
    invalidations.invalidated(List.of(bytes("k")));
    assertEquals(0, stats(cache).size()); // the invalidation has been taken in before the answer
    answer(fetch, "maybe-old");
    assertEquals(new GetResult.Found(bytes("maybe-old"), false), client.receiveMessage());
    readThrough(cache, "k", "new");
    assertHit(cache, "k", "new");
  }

  @Test
  void invalidatingKeysByPredicateDropsTheMatchingOnesAndTaintsTheirFetchesInFlight() {
    var cache = cache(10);
    readThrough(cache, "lost-a", "1");
    readThrough(cache, "kept", "2");
    cache.tell(new CacheActor.Get(bytes("lost-b"), client.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("lost-b");
    invalidations.invalidatedWhere(key -> new String(key).startsWith("lost-"), "test");
    assertEquals(1, stats(cache).keysInvalidated());
    answer(fetch, "maybe-old");
    assertEquals(new GetResult.Found(bytes("maybe-old"), false), client.receiveMessage());
    assertHit(cache, "kept", "2");
    readThrough(cache, "lost-a", "1-new");
    readThrough(cache, "lost-b", "new");
  }

  @Test
  void invalidatingEverythingClearsTheCacheAndTaintsFetchesInFlight() {
    var cache = cache(10);
    readThrough(cache, "a", "1");
    cache.tell(new CacheActor.Get(bytes("b"), client.getRef()));
    RedisFetcher.Fetch fetch = expectFetch("b");
    invalidations.everythingInvalidated("test");
    assertEquals(1, stats(cache).fullClears());
    answer(fetch, "2");
    client.receiveMessage();
    assertEquals(0, stats(cache).size());
    readThrough(cache, "a", "1");
  }

  private static final Duration LEASE = Duration.ofSeconds(1);

  private ActorRef<CacheActor.Command> leasedCache(InvalidationInbox inbox) {
    return testKit.spawn(CacheActor.create(settings(10, 10_000).withInvalidationLease(LEASE), fetcher.getRef(), inbox, ticker));
  }

  private void assertMiss(ActorRef<CacheActor.Command> cache, String key, String redisAnswers) {
    TestProbe<List<Lookup>> batch = testKit.createTestProbe();
    cache.tell(new CacheActor.GetCached(List.of(key(key)), batch.getRef()));
    assertEquals(List.of(Lookup.NotCached.INSTANCE), batch.receiveMessage());
    readThrough(cache, key, redisAnswers);
  }

  @Test
  void aCachedValueIsServedOnlyUntilALeaseAfterTheLastAnsweredPingWasSent() {
    InvalidationInbox inbox = new InvalidationInbox(1000, LEASE);
    var cache = leasedCache(inbox);
    inbox.leaseRenewed("connection", ticker.read());
    readThrough(cache, "k", "v");
    ticker.advance(LEASE.minusMillis(1));
    assertHit(cache, "k", "v");
    ticker.advance(Duration.ofMillis(1));
    assertMiss(cache, "k", "v2");
    assertMiss(cache, "k", "v3"); // fetched again while the lease has lapsed: kept, not served
    inbox.leaseRenewed("connection", ticker.read());
    assertHit(cache, "k", "v3");
  }

  /** What client tracking hears from the actor: "everything", or the keys changed. */
  private KeysChanged heard(TestProbe<String> probe) {
    return new KeysChanged() {
      @Override
      public void changed(List<ByteString> keys) {
        if (!keys.isEmpty()) probe.getRef().tell(String.join(",", keys.stream().map(ByteString::utf8String).toList()));
      }

      @Override
      public void everythingChanged() {
        probe.getRef().tell("everything");
      }
    };
  }

  @Test
  void clientTrackingHearsOfEachChangeOnceTheCacheHasAppliedIt() {
    TestProbe<String> changes = testKit.createTestProbe();
    var cache = testKit.spawn(CacheActor.create(settings(10, 10_000), fetcher.getRef(), invalidations, ticker, heard(changes)));
    readThrough(cache, "k", "v");
    invalidations.invalidated(List.of(bytes("k"), bytes("never-read")));
    assertEquals("k,never-read", changes.receiveMessage()); // every key: a client may have read one the proxy did not keep
    assertEquals(1, stats(cache).keysInvalidated());
    invalidations.everythingInvalidated("FLUSHALL");
    assertEquals("everything", changes.receiveMessage());
  }

  @Test
  void clientTrackingIsToldEverythingChangedWhenTheLeaseLapsesAndOnceOnly() {
    TestProbe<String> changes = testKit.createTestProbe();
    InvalidationInbox inbox = new InvalidationInbox(1000, LEASE);
    var cache = testKit.spawn(CacheActor.create(settings(10, 10_000).withInvalidationLease(LEASE), fetcher.getRef(), inbox,
        ticker, heard(changes)));
    inbox.leaseRenewed("connection", ticker.read());
    readThrough(cache, "k", "v");
    ticker.advance(LEASE.minusMillis(10));
    manualTime.timePasses(LEASE.minusMillis(10));
    changes.expectNoMessage(Duration.ofMillis(50));
    ticker.advance(Duration.ofMillis(10));
    manualTime.timePasses(Duration.ofMillis(10));
    assertEquals("everything", changes.receiveMessage());
    ticker.advance(SWEEP);
    manualTime.timePasses(SWEEP); // the sweep looks at the lease again: still lapsed, not told again
    changes.expectNoMessage(Duration.ofMillis(50));
    inbox.leaseRenewed("connection", ticker.read());
    assertHit(cache, "k", "v");
    ticker.advance(LEASE);
    manualTime.timePasses(LEASE);
    assertEquals("everything", changes.receiveMessage());
  }

  @Test
  void withALeaseNothingIsServedBeforeAnyConnectionHoldsOne() {
    var cache = leasedCache(new InvalidationInbox(1000, LEASE));
    readThrough(cache, "k", "v");
    assertMiss(cache, "k", "v");
  }

  @Test
  void theLeaseIsTheOldestOfTheConnectionsLeases() {
    InvalidationInbox inbox = new InvalidationInbox(1000, LEASE);
    var cache = leasedCache(inbox);
    inbox.leaseRenewed("first", ticker.read());
    ticker.advance(Duration.ofMillis(500));
    inbox.leaseRenewed("second", ticker.read());
    readThrough(cache, "k", "v");
    ticker.advance(Duration.ofMillis(500));
    assertMiss(cache, "k", "v"); // the second connection's lease is fresh, the first one's is not
  }

  @Test
  void aLostLeaseClearsTheCacheAndItsConnectionNoLongerCounts() {
    InvalidationInbox inbox = new InvalidationInbox(1000, LEASE);
    var cache = leasedCache(inbox);
    inbox.leaseRenewed("lost", ticker.read());
    inbox.leaseRenewed("kept", ticker.read());
    readThrough(cache, "k", "v");
    inbox.leaseLost("lost", Optional.empty(), "test");
    assertEquals(0, stats(cache).size());
    readThrough(cache, "k", "v2");
    assertHit(cache, "k", "v2");
  }

  @Test
  void aClusterNodesLostLeaseDropsOnlyItsKeysAndNoLongerHoldsTheOthersBack() {
    InvalidationInbox inbox = new InvalidationInbox(1000, LEASE);
    var cache = leasedCache(inbox);
    inbox.leaseRenewed("node-a", ticker.read());
    inbox.leaseRenewed("node-b", ticker.read());
    readThrough(cache, "a-key", "1");
    readThrough(cache, "b-key", "2");
    inbox.leaseLost("node-a", Optional.of(key -> new String(key).startsWith("a-")), "test");
    ticker.advance(Duration.ofMillis(600));
    inbox.leaseRenewed("node-b", ticker.read());
    ticker.advance(Duration.ofMillis(600));
    assertHit(cache, "b-key", "2");
    readThrough(cache, "a-key", "1-new");
  }

  @Test
  void servingStaleWithoutALeaseKeepsAndServesValuesWhateverTheLease() {
    InvalidationInbox inbox = new InvalidationInbox(1000, Duration.ZERO);
    var cache = cache(10); // no lease: tracking without it, or cache.serve-stale-without-lease
    readThrough(cache, "k", "v");
    var optedIn = testKit.spawn(CacheActor.create(settings(10, 10_000), fetcher.getRef(), inbox, ticker));
    inbox.leaseRenewed("connection", ticker.read());
    readThrough(optedIn, "k", "v");
    ticker.advance(Duration.ofSeconds(10));
    inbox.leaseLost("connection", Optional.empty(), "test");
    assertHit(optedIn, "k", "v");
    assertHit(cache, "k", "v");
  }

  @Test
  void fetchesTimeOutOldestFirstAndOnlyOnceTheirOwnTimeHasPassed() {
    var cache = cache(10);
    TestProbe<GetResult> second = testKit.createTestProbe();
    cache.tell(new CacheActor.Get(bytes("first"), client.getRef()));
    expectFetch("first");
    ticker.advance(Duration.ofSeconds(1));
    cache.tell(new CacheActor.Get(bytes("second"), second.getRef()));
    expectFetch("second");
    ticker.advance(Duration.ofSeconds(1));
    manualTime.timePasses(DEADLINE_CHECK);
    assertEquals(GetResult.Reason.REDIS_TIMEOUT, assertInstanceOf(GetResult.Failed.class, client.receiveMessage()).reason());
    second.expectNoMessage(Duration.ofMillis(20));
    assertEquals(1, stats(cache).fetchesInFlight());
    ticker.advance(Duration.ofSeconds(1));
    manualTime.timePasses(DEADLINE_CHECK);
    assertEquals(GetResult.Reason.REDIS_TIMEOUT, assertInstanceOf(GetResult.Failed.class, second.receiveMessage()).reason());
    assertEquals(0, stats(cache).fetchesInFlight());
  }

  @Test
  void aFailureInsideTheActorRestartsItEmptyAndAnswersEveryoneItWasServing() {
    var cache = cache(10);
    readThrough(cache, "cached", "v");
    assertHit(cache, "cached", "v");
    TestProbe<GetResult> other = testKit.createTestProbe();
    cache.tell(new CacheActor.Get(bytes("a"), client.getRef()));
    RedisFetcher.Fetch fetchA = expectFetch("a");
    cache.tell(new CacheActor.Get(bytes("b"), other.getRef()));
    expectFetch("b");
    // A reply no correct fetcher sends: the actor throws on it, as it would on a bug of ours.
    fetchA.replyTo().tell(new FetchResult.Fetched(fetchA.requestId(), null, bytes("x"), RedisValue.NO_EXPIRY));
    GetResult.Failed failed = assertInstanceOf(GetResult.Failed.class, client.receiveMessage());
    assertEquals(GetResult.Reason.OVERLOADED, failed.reason());
    assertEquals(failed, other.receiveMessage());
    CacheStats afterRestart = stats(cache);
    assertEquals(1, afterRestart.restarts());
    assertEquals(0, afterRestart.size());
    assertEquals(0, afterRestart.fetchesInFlight());
    assertEquals(1, afterRestart.hits(), "counters survive the restart");
    readThrough(cache, "cached", "fresh");
    answer(fetchA, "late"); // the old incarnation's fetch: its id matches nothing now
    assertEquals(1, stats(cache).size());
  }
}
