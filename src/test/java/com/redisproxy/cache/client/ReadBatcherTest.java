package com.redisproxy.cache.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.CacheKey;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.InvalidationInbox;
import com.redisproxy.cache.Lookup;
import com.redisproxy.system.support.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Reads queued before a send go to the cache in one message; a read's hits are answered without waiting for its batch's misses. */
class ReadBatcherTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  /** An executor that runs what it was given only when told to: the test decides when a send or an answer happens. */
  private static final class HeldTasks implements Executor {
    final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) tasks.poll().run();
    }
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static CacheKey key(String text) {
    return CacheKey.of(bytes(text));
  }

  private static ByteString bytes(String text) {
    return ByteString.fromString(text);
  }

  /** The cache's answer to {@code read}: {@code cached} now, the fetched ones when the returned future is completed. */
  private static CompletableFuture<List<GetResult>> answer(CacheActor.Read read, Lookup... cached) {
    CompletableFuture<List<GetResult>> fetched = new CompletableFuture<>();
    read.replyTo().tell(new CacheActor.Lookups(List.of(cached), fetched));
    return fetched;
  }

  private static CacheClient client(TestProbe<CacheActor.Command> cache) {
    return new CacheClient(cache.getRef(), testKit.system().scheduler(), Duration.ofSeconds(30), 100, new InvalidationInbox(100));
  }

  @Test
  void readsQueuedBeforeASendAskForTheirHitsOnceAndAHitDoesNotWaitForAMiss() throws Exception {
    TestProbe<CacheActor.Command> cache = testKit.createTestProbe();
    HeldTasks sendFrom = new HeldTasks();
    ReadBatcher reads = new ReadBatcher(client(cache), sendFrom, Runnable::run);

    CompletableFuture<List<GetResult>> a = reads.getAll(List.of(key("a"))).toCompletableFuture();
    CompletableFuture<List<GetResult>> b = reads.getAll(List.of(key("b"))).toCompletableFuture();
    CompletableFuture<List<GetResult>> c = reads.getAll(List.of(key("c"))).toCompletableFuture();
    assertEquals(1, sendFrom.tasks.size(), "one send is scheduled for the three reads");
    sendFrom.runAll();

    CacheActor.Read batch = cache.expectMessageClass(CacheActor.Read.class);
    assertEquals(List.of(key("a"), key("b"), key("c")), batch.keys());
    GetResult.Found valueOfB = new GetResult.Found(bytes("B"), true);
    GetResult.Found valueOfC = new GetResult.Found(bytes("C"), true);
    CompletableFuture<List<GetResult>> fetched = answer(batch, Lookup.NotCached.INSTANCE, valueOfB, valueOfC);

    // b and c are answered while a, not cached, is still being read.
    assertEquals(List.of(valueOfB), b.get(5, TimeUnit.SECONDS));
    assertEquals(List.of(valueOfC), c.get(5, TimeUnit.SECONDS));
    assertFalse(a.isDone());
    fetched.complete(List.of(GetResult.NotFound.INSTANCE));
    assertEquals(List.of(GetResult.NotFound.INSTANCE), a.get(5, TimeUnit.SECONDS));
    cache.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aReadQueuedAfterASendGoesInTheNextBatch() throws Exception {
    TestProbe<CacheActor.Command> cache = testKit.createTestProbe();
    HeldTasks sendFrom = new HeldTasks();
    ReadBatcher reads = new ReadBatcher(client(cache), sendFrom, Runnable::run);

    CompletableFuture<List<GetResult>> first = reads.getAll(List.of(key("first"))).toCompletableFuture();
    sendFrom.runAll();
    CompletableFuture<List<GetResult>> second = reads.getAll(List.of(key("second"))).toCompletableFuture();
    assertEquals(1, sendFrom.tasks.size(), "the read after the send schedules a send of its own");
    sendFrom.runAll();

    CacheActor.Read firstBatch = cache.expectMessageClass(CacheActor.Read.class);
    CacheActor.Read secondBatch = cache.expectMessageClass(CacheActor.Read.class);
    assertEquals(List.of(key("first")), firstBatch.keys());
    assertEquals(List.of(key("second")), secondBatch.keys());
    answer(secondBatch, new GetResult.Found(bytes("2"), true));
    answer(firstBatch, new GetResult.Found(bytes("1"), true));
    assertEquals(List.of(new GetResult.Found(bytes("1"), true)), first.get(5, TimeUnit.SECONDS));
    assertEquals(List.of(new GetResult.Found(bytes("2"), true)), second.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aReadsHitsAreAnsweredWhileAnotherReadOfTheSameSendWaitsForAFetch() throws Exception {
    TestProbe<CacheActor.Command> cache = testKit.createTestProbe();
    HeldTasks sendFrom = new HeldTasks();
    ReadBatcher reads = new ReadBatcher(client(cache), sendFrom, Runnable::run);

    // Two connections read before the send, one of them two keys.
    CompletableFuture<List<GetResult>> first = reads.getAll(List.of(key("hot"))).toCompletableFuture();
    CompletableFuture<List<GetResult>> second = reads.getAll(List.of(key("hot"), key("cold"))).toCompletableFuture();
    sendFrom.runAll();

    CacheActor.Read batch = cache.expectMessageClass(CacheActor.Read.class);
    assertEquals(List.of(key("hot"), key("hot"), key("cold")), batch.keys());
    GetResult.Found hot = new GetResult.Found(bytes("H"), true);
    CompletableFuture<List<GetResult>> fetched = answer(batch, hot, hot, Lookup.NotCached.INSTANCE);

    assertEquals(List.of(hot), first.get(5, TimeUnit.SECONDS));
    assertFalse(second.isDone(), "the second connection waits for its miss");
    GetResult.Found cold = new GetResult.Found(bytes("C"), false);
    fetched.complete(List.of(cold));
    assertEquals(List.of(hot, cold), second.get(5, TimeUnit.SECONDS));
  }

  @Test
  void theKeysNotCachedOfEveryReadOfASendAreAskedForTogether() throws Exception {
    TestProbe<CacheActor.Command> cache = testKit.createTestProbe();
    HeldTasks sendFrom = new HeldTasks();
    ReadBatcher reads = new ReadBatcher(client(cache), sendFrom, Runnable::run);

    CompletableFuture<List<GetResult>> first = reads.getAll(List.of(key("a"), key("hot"))).toCompletableFuture();
    CompletableFuture<List<GetResult>> second = reads.getAll(List.of(key("b"))).toCompletableFuture();
    sendFrom.runAll();
    GetResult.Found hot = new GetResult.Found(bytes("H"), true);
    CompletableFuture<List<GetResult>> fetched = answer(cache.expectMessageClass(CacheActor.Read.class),
        Lookup.NotCached.INSTANCE, hot, Lookup.NotCached.INSTANCE);

    cache.expectNoMessage(Duration.ofMillis(20)); // the misses are the cache's to fetch: no second message
    assertFalse(first.isDone());
    assertFalse(second.isDone());
    GetResult.Found a = new GetResult.Found(bytes("A"), false);
    // The fetched results come in the batch's order of the keys not cached: a's, then b's.
    fetched.complete(List.of(a, GetResult.NotFound.INSTANCE));
    assertEquals(List.of(a, hot), first.get(5, TimeUnit.SECONDS));
    assertEquals(List.of(GetResult.NotFound.INSTANCE), second.get(5, TimeUnit.SECONDS));
  }

  @Test
  void answersAndStatsAreCompletedOnTheAnsweringExecutor() throws Exception {
    TestProbe<CacheActor.Command> cache = testKit.createTestProbe();
    HeldTasks sendFrom = new HeldTasks();
    HeldTasks answerOn = new HeldTasks();
    ReadBatcher reads = new ReadBatcher(client(cache), sendFrom, answerOn);

    CompletableFuture<List<GetResult>> hit = reads.getAll(List.of(key("k"))).toCompletableFuture();
    sendFrom.runAll();
    GetResult.Found value = new GetResult.Found(bytes("v"), true);
    answer(cache.expectMessageClass(CacheActor.Read.class), value);
    awaitTask(answerOn);
    assertFalse(hit.isDone(), "answered only once the answering executor runs");
    answerOn.runAll();
    assertEquals(List.of(value), hit.get(5, TimeUnit.SECONDS));

    CompletableFuture<Optional<CacheStats>> stats = reads.stats().toCompletableFuture();
    CacheStats figures = new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, java.util.List.of(), 0.5);
    cache.expectMessageClass(CacheActor.GetStats.class).replyTo().tell(figures);
    awaitTask(answerOn);
    assertFalse(stats.isDone());
    answerOn.runAll();
    assertEquals(Optional.of(figures), stats.get(5, TimeUnit.SECONDS));
  }

  // The answer may reach the executor from another thread: wait until it has.
  private static void awaitTask(HeldTasks executor) {
    Eventually.await(Duration.ofSeconds(5), "the answer reached the executor", () -> !executor.tasks.isEmpty());
  }
}
