package com.redisproxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Reads queued before a send ask for their hits in one message; each other key is read on its own. */
class BatchedReadsTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  /** An executor that runs what it was given only when told to: the test decides when a send happens. */
  private static final class HeldTasks implements Executor {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

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

  private static ByteString bytes(String text) {
    return ByteString.fromString(text);
  }

  @Test
  void readsQueuedBeforeASendAskForTheirHitsOnceAndAHitDoesNotWaitForAMiss() throws Exception {
    TestProbe<CacheActor.Command> cache = testKit.createTestProbe();
    HeldTasks executor = new HeldTasks();
    BatchedReads reads = new BatchedReads(new CacheClient(
        cache.getRef(), testKit.system().scheduler(), Duration.ofSeconds(30), 100, new InvalidationInbox(100)), executor);

    CompletableFuture<GetResult> a = reads.get(bytes("a")).toCompletableFuture();
    CompletableFuture<GetResult> b = reads.get(bytes("b")).toCompletableFuture();
    CompletableFuture<GetResult> c = reads.get(bytes("c")).toCompletableFuture();
    assertEquals(1, executor.tasks.size(), "one send is scheduled for the three reads");
    executor.runAll();

    CacheActor.GetCached batch = cache.expectMessageClass(CacheActor.GetCached.class);
    assertEquals(List.of(bytes("a"), bytes("b"), bytes("c")), batch.keys());
    GetResult.Found valueOfB = new GetResult.Found(bytes("B"), true);
    GetResult.Found valueOfC = new GetResult.Found(bytes("C"), true);
    batch.replyTo().tell(List.of(Lookup.NotCached.INSTANCE, valueOfB, valueOfC));

    // b and c are answered while a, not cached, is still being read on its own.
    assertEquals(valueOfB, b.get(5, TimeUnit.SECONDS));
    assertEquals(valueOfC, c.get(5, TimeUnit.SECONDS));
    CacheActor.Get miss = cache.expectMessageClass(CacheActor.Get.class);
    assertEquals(bytes("a"), miss.key());
    assertFalse(a.isDone());
    miss.replyTo().tell(GetResult.NotFound.INSTANCE);
    assertEquals(GetResult.NotFound.INSTANCE, a.get(5, TimeUnit.SECONDS));
    cache.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aReadQueuedAfterASendGoesInTheNextBatch() throws Exception {
    TestProbe<CacheActor.Command> cache = testKit.createTestProbe();
    HeldTasks executor = new HeldTasks();
    BatchedReads reads = new BatchedReads(
        new CacheClient(cache.getRef(), testKit.system().scheduler(), Duration.ofSeconds(30), 100, new InvalidationInbox(100)), executor);

    CompletableFuture<GetResult> first = reads.get(bytes("first")).toCompletableFuture();
    executor.runAll();
    CompletableFuture<GetResult> second = reads.get(bytes("second")).toCompletableFuture();
    assertEquals(1, executor.tasks.size(), "the read after the send schedules a send of its own");
    executor.runAll();

    CacheActor.GetCached firstBatch = cache.expectMessageClass(CacheActor.GetCached.class);
    CacheActor.GetCached secondBatch = cache.expectMessageClass(CacheActor.GetCached.class);
    assertEquals(List.of(bytes("first")), firstBatch.keys());
    assertEquals(List.of(bytes("second")), secondBatch.keys());
    secondBatch.replyTo().tell(List.of(new GetResult.Found(bytes("2"), true)));
    firstBatch.replyTo().tell(List.of(new GetResult.Found(bytes("1"), true)));
    assertEquals(new GetResult.Found(bytes("1"), true), first.get(5, TimeUnit.SECONDS));
    assertEquals(new GetResult.Found(bytes("2"), true), second.get(5, TimeUnit.SECONDS));
  }
}
