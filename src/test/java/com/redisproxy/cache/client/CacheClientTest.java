package com.redisproxy.cache.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.CacheKey;
import com.redisproxy.cache.settings.CacheSettings;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.InvalidationInbox;
import com.redisproxy.cache.Lookup;
import com.redisproxy.cache.store.Ticker;
import com.redisproxy.fetch.FetchResult;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import com.redisproxy.system.support.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Admission control in front of a CacheActor with a bounded mailbox. */
class CacheClientTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final int MAX_PENDING = 50;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static CacheSettings settings() {
    return CacheSettings.defaults()
        .withCapacity(100)
        .withExpiry(Duration.ofMinutes(1))
        .withMaxValueBytes(1024)
        .withMaxPendingRequests(MAX_PENDING)
        .withFetchTimeout(Duration.ofSeconds(30));
  }

  @Test
  void aBurstFarBeyondTheBoundIsRefusedPromptlyAndEveryAcceptedRequestIsAnswered() throws Exception {
    CacheSettings settings = settings();
    TestProbe<RedisFetcher.Command> fetcher = testKit.createTestProbe();
    ActorRef<CacheActor.Command> cache = spawnCache(settings, fetcher);
    CacheClient client = new CacheClient(cache, testKit.system().scheduler(), Duration.ofSeconds(60), MAX_PENDING,
        new InvalidationInbox(100));

    // Every key is a miss that Redis does not answer yet, so the first MAX_PENDING stay pending.
    List<CompletableFuture<GetResult>> answers = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 5_000; i++) {
      answers.add(client.get(ByteString.fromString("k" + (i % 10))).toCompletableFuture());
    }
    long refused = answers.stream().filter(CompletableFuture::isDone).count();
    assertEquals(5_000 - MAX_PENDING, refused, "all but the admitted requests are answered at once");
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "refusals were not prompt");
    for (CompletableFuture<GetResult> answer : answers) {
      if (answer.isDone()) {
        GetResult.Failed failed = (GetResult.Failed) answer.get();
        assertEquals(GetResult.Reason.OVERLOADED, failed.reason());
      }
    }

    for (int i = 0; i < 10; i++) {
      RedisFetcher.Fetch fetch = fetcher.expectMessageClass(RedisFetcher.Fetch.class);
      fetch.replyTo().tell(new FetchResult.Fetched(fetch.requestId(), fetch.key(), ByteString.fromString("v"), RedisValue.NO_EXPIRY));
    }
    for (CompletableFuture<GetResult> answer : answers) {
      assertTrue(answer.get(10, TimeUnit.SECONDS) != null, "no accepted request is lost");
    }
    assertEquals(0, client.pendingAsks());
    GetResult afterwards = client.get(ByteString.fromString("k1")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(new GetResult.Found(ByteString.fromString("v"), true), afterwards);
  }

  @Test
  void aReadStaysPendingUntilItsMissesAreAnsweredAndBeyondTheBoundIsRefused() throws Exception {
    CacheSettings settings = settings();
    TestProbe<RedisFetcher.Command> fetcher = testKit.createTestProbe();
    ActorRef<CacheActor.Command> cache = spawnCache(settings, fetcher);
    CacheClient client = new CacheClient(cache, testKit.system().scheduler(), Duration.ofSeconds(60), 2,
        new InvalidationInbox(100));
    List<CacheKey> keys = List.of(CacheKey.of(ByteString.fromString("k")));

    CacheActor.Lookups first = client.read(keys).toCompletableFuture().get(10, TimeUnit.SECONDS);
    CacheActor.Lookups second = client.read(keys).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(Lookup.NotCached.INSTANCE), first.cached());
    assertEquals(2, client.pendingAsks(), "both reads wait for their miss");
    CacheActor.Lookups refused = client.read(keys).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(GetResult.Reason.OVERLOADED, ((GetResult.Failed) refused.cached().get(0)).reason());
    assertEquals(List.of(), refused.fetched().toCompletableFuture().getNow(null));

    RedisFetcher.Fetch fetch = fetcher.expectMessageClass(RedisFetcher.Fetch.class); // the second joined the first's
    fetch.replyTo().tell(new FetchResult.Fetched(fetch.requestId(), fetch.key(), ByteString.fromString("v"), RedisValue.NO_EXPIRY));
    GetResult.Found value = new GetResult.Found(ByteString.fromString("v"), false);
    assertEquals(List.of(value), first.fetched().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(List.of(value), second.fetched().toCompletableFuture().get(10, TimeUnit.SECONDS));
    // Counted down on the cache's thread as the answers complete, perhaps just after this thread saw them.
    Eventually.await(Duration.ofSeconds(10), "both reads are no longer pending", () -> client.pendingAsks() == 0);
  }

  @Test
  void aWriteInvalidationDropsTheKeyAndKeepsAFetchInFlightFromCachingTheOldValue() throws Exception {
    CacheSettings settings = settings();
    TestProbe<RedisFetcher.Command> fetcher = testKit.createTestProbe();
    InvalidationInbox inbox = new InvalidationInbox(1000);
    ActorRef<CacheActor.Command> cache = testKit.spawn(
        CacheActor.create(settings, fetcher.getRef(), inbox, Ticker.SYSTEM),
        MailboxSelector.bounded(settings.mailboxCapacity()));
    CacheClient client = new CacheClient(cache, testKit.system().scheduler(), Duration.ofSeconds(60), MAX_PENDING, inbox);
    ByteString cached = ByteString.fromString("cached");
    ByteString inFlight = ByteString.fromString("in-flight");

    CompletableFuture<GetResult> first = client.get(cached).toCompletableFuture();
    answer(fetcher, "old");
    assertEquals(new GetResult.Found(ByteString.fromString("old"), false), first.get(10, TimeUnit.SECONDS));
    CompletableFuture<GetResult> racing = client.get(inFlight).toCompletableFuture();
    RedisFetcher.Fetch racingFetch = fetcher.expectMessageClass(RedisFetcher.Fetch.class);
    client.invalidate(List.of(cached, inFlight));
    racingFetch.replyTo().tell(new FetchResult.Fetched(racingFetch.requestId(), racingFetch.key(), ByteString.fromString("old"), RedisValue.NO_EXPIRY));
    racing.get(10, TimeUnit.SECONDS);

    CompletableFuture<GetResult> again = client.get(cached).toCompletableFuture();
    CompletableFuture<GetResult> racedAgain = client.get(inFlight).toCompletableFuture();
    answer(fetcher, "new");
    answer(fetcher, "new");
    assertEquals(new GetResult.Found(ByteString.fromString("new"), false), again.get(10, TimeUnit.SECONDS));
    assertEquals(new GetResult.Found(ByteString.fromString("new"), false), racedAgain.get(10, TimeUnit.SECONDS));
  }

  private static void answer(TestProbe<RedisFetcher.Command> fetcher, String value) {
    RedisFetcher.Fetch fetch = fetcher.expectMessageClass(RedisFetcher.Fetch.class);
    fetch.replyTo().tell(new FetchResult.Fetched(fetch.requestId(), fetch.key(), ByteString.fromString(value), RedisValue.NO_EXPIRY));
  }

  private ActorRef<CacheActor.Command> spawnCache(CacheSettings settings, TestProbe<RedisFetcher.Command> fetcher) {
    return testKit.spawn(
        CacheActor.create(settings, fetcher.getRef(), new InvalidationInbox(1000), Ticker.SYSTEM),
        MailboxSelector.bounded(settings.mailboxCapacity()));
  }
}
