package com.redisproxy.cache;

import com.redisproxy.cache.settings.CacheSettings;
import com.redisproxy.cache.store.ManualTicker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.fetch.FetchResult;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Reads other than GET ({@link KeyCommand}): each command, arguments and protocol has its own
 * cached reply, a key's replies go together, and they follow GET's rules for expiry, in-flight
 * races, errors, missing keys and the byte bound.
 */
class CacheActorReadsTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
  private static final Duration EXPIRY = Duration.ofSeconds(60);
  private static final ByteString MAP = bytes("%1\r\n$1\r\nf\r\n$1\r\nv\r\n");

  private final ManualTicker ticker = new ManualTicker();
  private final TestProbe<RedisFetcher.Command> fetcher = testKit.createTestProbe();
  private final TestProbe<List<GetResult>> client = testKit.createTestProbe();
  private final InvalidationInbox invalidations = new InvalidationInbox(1000);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ByteString bytes(String text) {
    return ByteString.fromString(text);
  }

  private static CacheSettings settings() {
    return CacheSettings.defaults().withCapacity(100).withExpiry(EXPIRY).withFetchTimeout(Duration.ofSeconds(2));
  }

  private ActorRef<CacheActor.Command> cache(CacheSettings settings) {
    return testKit.spawn(CacheActor.create(settings, fetcher.getRef(), invalidations, ticker));
  }

  private static KeyCommand command(boolean resp3, String... request) {
    return KeyCommand.of(Arrays.stream(request).map(CacheActorReadsTest::bytes).toList(), 1, resp3);
  }

  private static KeyCommand hgetall(String key) {
    return command(true, "HGETALL", key);
  }

  private void read(ActorRef<CacheActor.Command> cache, CacheKey read) {
    cache.tell(new CacheActor.GetAll(List.of(read), client.getRef()));
  }

  private void answer(RedisFetcher.Wanted wanted, ByteString reply, long ttlMillis) {
    FetchResult fetched = new FetchResult.Fetched(wanted.requestId(), wanted.key(), wanted.command(), wanted.resp3(), reply, ttlMillis);
    lastFetchAll.replyTo().tell(new RedisFetcher.AllFetched(List.of(fetched)));
  }

  private RedisFetcher.FetchAll lastFetchAll;

  /** Reads {@code read}, which must miss; Redis answers {@code reply} (a GET goes alone, as a Fetch). */
  private RedisFetcher.Wanted readThrough(ActorRef<CacheActor.Command> cache, CacheKey read, ByteString reply, long ttlMillis) {
    read(cache, read);
    RedisFetcher.Command sent = fetcher.receiveMessage();
    RedisFetcher.Wanted wanted;
    if (sent instanceof RedisFetcher.Fetch get) {
      wanted = new RedisFetcher.Wanted(get.key(), get.requestId());
      get.replyTo().tell(new FetchResult.Fetched(get.requestId(), get.key(), reply, ttlMillis));
    } else {
      lastFetchAll = (RedisFetcher.FetchAll) sent;
      wanted = lastFetchAll.wanted().get(0);
      answer(wanted, reply, ttlMillis);
    }
    assertEquals(List.of(new GetResult.Found(reply, false)), client.receiveMessage());
    return wanted;
  }

  private void assertHit(ActorRef<CacheActor.Command> cache, CacheKey read, ByteString reply) {
    read(cache, read);
    assertEquals(List.of(new GetResult.Found(reply, true)), client.receiveMessage());
    fetcher.expectNoMessage(Duration.ofMillis(20));
  }

  private void assertMiss(ActorRef<CacheActor.Command> cache, CacheKey read) {
    read(cache, read);
    RedisFetcher.Command sent = fetcher.receiveMessage();
    assertTrue(sent instanceof RedisFetcher.Fetch || sent instanceof RedisFetcher.FetchAll, "a fetch: " + sent);
  }

  private CacheStats stats(ActorRef<CacheActor.Command> cache) {
    TestProbe<CacheStats> probe = testKit.createTestProbe();
    cache.tell(new CacheActor.GetStats(probe.getRef()));
    return probe.receiveMessage();
  }

  @Test
  void aCommandIsFetchedWithItsRequestAndProtocolThenServedFromTheCache() {
    var cache = cache(settings());
    RedisFetcher.Wanted wanted = readThrough(cache, hgetall("h"), MAP, RedisValue.NO_EXPIRY);
    assertEquals(bytes("h"), wanted.key());
    assertEquals(List.of(bytes("HGETALL"), bytes("h")), wanted.command());
    assertTrue(wanted.resp3());
    assertHit(cache, hgetall("h"), MAP);
    assertHit(cache, command(true, "hgetall", "h"), MAP); // the name in any case
    assertEquals(1, stats(cache).size(), "one entry for the key");
  }

  @Test
  void eachCommandArgumentsAndProtocolHaveTheirOwnReply() {
    var cache = cache(settings());
    readThrough(cache, command(false, "HGET", "h", "f"), bytes("$1\r\nv\r\n"), RedisValue.NO_EXPIRY);
    readThrough(cache, command(false, "HGET", "h", "g"), bytes("$-1\r\n"), RedisValue.NO_EXPIRY);
    readThrough(cache, command(false, "HGETALL", "h"), bytes("*2\r\n$1\r\nf\r\n$1\r\nv\r\n"), RedisValue.NO_EXPIRY);
    readThrough(cache, hgetall("h"), MAP, RedisValue.NO_EXPIRY);
    assertHit(cache, command(false, "HGET", "h", "g"), bytes("$-1\r\n"));
    assertHit(cache, command(false, "HGETALL", "h"), bytes("*2\r\n$1\r\nf\r\n$1\r\nv\r\n"));
    assertHit(cache, hgetall("h"), MAP);
    assertMiss(cache, CacheKey.of(bytes("h"))); // GET has not read it
  }

  @Test
  void aChangeOfTheKeyDropsEveryReplyOfItAndGetsValueWithThem() {
    var cache = cache(settings());
    readThrough(cache, CacheKey.of(bytes("k")), bytes("hello"), RedisValue.NO_EXPIRY);
    readThrough(cache, command(false, "STRLEN", "k"), bytes(":5\r\n"), RedisValue.NO_EXPIRY);
    readThrough(cache, command(false, "STRLEN", "other"), bytes(":1\r\n"), RedisValue.NO_EXPIRY);
    assertHit(cache, CacheKey.of(bytes("k")), bytes("hello"));
    invalidations.invalidated(List.of(bytes("k")));
    assertMiss(cache, command(false, "STRLEN", "k"));
    assertMiss(cache, CacheKey.of(bytes("k")));
    assertHit(cache, command(false, "STRLEN", "other"), bytes(":1\r\n"));
  }

  @Test
  void aReadInFlightWhenItsKeyChangesIsAnsweredButNotCached() {
    var cache = cache(settings());
    read(cache, hgetall("h"));
    lastFetchAll = fetcher.expectMessageClass(RedisFetcher.FetchAll.class);
    invalidations.invalidated(List.of(bytes("h")));
    answer(lastFetchAll.wanted().get(0), MAP, RedisValue.NO_EXPIRY);
    assertEquals(List.of(new GetResult.Found(MAP, false)), client.receiveMessage());
    assertMiss(cache, hgetall("h"));
  }

  @Test
  void twoReadsOfOneCommandInFlightShareOneFetch() {
    var cache = cache(settings());
    read(cache, hgetall("h"));
    read(cache, hgetall("h"));
    lastFetchAll = fetcher.expectMessageClass(RedisFetcher.FetchAll.class);
    fetcher.expectNoMessage(Duration.ofMillis(20));
    answer(lastFetchAll.wanted().get(0), MAP, RedisValue.NO_EXPIRY);
    assertEquals(List.of(new GetResult.Found(MAP, false)), client.receiveMessage());
    assertEquals(List.of(new GetResult.Found(MAP, false)), client.receiveMessage());
  }

  @Test
  void aReplyAddedLaterLivesNoLongerThanTheKeysFirst() {
    var cache = cache(settings());
    readThrough(cache, command(false, "STRLEN", "k"), bytes(":5\r\n"), RedisValue.NO_EXPIRY);
    ticker.advance(Duration.ofSeconds(40));
    readThrough(cache, command(false, "GETRANGE", "k", "0", "1"), bytes("$2\r\nhe\r\n"), RedisValue.NO_EXPIRY);
    ticker.advance(Duration.ofSeconds(19));
    assertHit(cache, command(false, "GETRANGE", "k", "0", "1"), bytes("$2\r\nhe\r\n"));
    ticker.advance(Duration.ofSeconds(1)); // 60 s after the first reply was read
    assertMiss(cache, command(false, "GETRANGE", "k", "0", "1"));
  }

  @Test
  void redisTtlOfTheKeyBoundsItsReply() {
    var cache = cache(settings());
    readThrough(cache, hgetall("h"), MAP, 5_000);
    ticker.advance(Duration.ofMillis(4_999));
    assertHit(cache, hgetall("h"), MAP);
    ticker.advance(Duration.ofMillis(1));
    assertMiss(cache, hgetall("h"));
  }

  @Test
  void anErrorReplyIsTheAnswerButIsNotCached() {
    var cache = cache(settings());
    ByteString wrongType = bytes("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    readThrough(cache, hgetall("s"), wrongType, RedisValue.NO_EXPIRY);
    assertMiss(cache, hgetall("s"));
  }

  @Test
  void aReplyAboutAMissingKeyIsCachedOnlyWhenRedisWouldReportItsCreation() {
    var untracked = cache(settings());
    readThrough(untracked, hgetall("none"), bytes("%0\r\n"), RedisValue.KEY_ABSENT);
    assertMiss(untracked, hgetall("none"));

    var tracked = cache(settings().withCachesAbsentKeys(true));
    readThrough(tracked, hgetall("none"), bytes("%0\r\n"), RedisValue.KEY_ABSENT);
    assertHit(tracked, hgetall("none"), bytes("%0\r\n"));
  }

  @Test
  void theByteBoundEvictsTheLeastRecentlyReadKeyWithAllItsReplies() {
    ByteString reply = bytes("$100\r\n" + "v".repeat(100) + "\r\n");
    KeyCommand a = command(false, "HGET", "a", "f");
    long oneEntry = CacheEntries.ENTRY_OVERHEAD + 1 + CacheEntries.REPLIES_OVERHEAD
        + CacheEntries.weighReply(a.args(), reply.toArrayUnsafe());
    var cache = cache(settings().withMaxBytes(3 * oneEntry));
    readThrough(cache, a, reply, RedisValue.NO_EXPIRY);
    readThrough(cache, command(false, "HGET", "b", "f"), reply, RedisValue.NO_EXPIRY);
    readThrough(cache, command(false, "HGET", "c", "f"), reply, RedisValue.NO_EXPIRY);
    assertHit(cache, a, reply); // b is now the least recently read
    readThrough(cache, command(false, "HGET", "d", "f"), reply, RedisValue.NO_EXPIRY);
    CacheStats stats = stats(cache);
    assertEquals(3, stats.size());
    assertEquals(3 * oneEntry, stats.bytes());
    assertHit(cache, a, reply);
    assertMiss(cache, command(false, "HGET", "b", "f"));
  }
}
