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

/** Reads queued before a send go to the cache as one GetAll, and each gets its own answer. */
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
  void readsQueuedBeforeASendAreOneGetAllAndEachIsAnsweredWithItsOwnResult() throws Exception {
    TestProbe<CacheActor.Command> cache = testKit.createTestProbe();
    HeldTasks executor = new HeldTasks();
    BatchedReads reads = new BatchedReads(
        new CacheClient(cache.getRef(), testKit.system().scheduler(), Duration.ofSeconds(30), 100, new InvalidationInbox(100)), executor);

    CompletableFuture<GetResult> a = reads.get(bytes("a")).toCompletableFuture();
    CompletableFuture<GetResult> b = reads.get(bytes("b")).toCompletableFuture();
    CompletableFuture<GetResult> c = reads.get(bytes("c")).toCompletableFuture();
    assertEquals(1, executor.tasks.size(), "one send is scheduled for the three reads");
    executor.runAll();

    CacheActor.GetAll batch = cache.expectMessageClass(CacheActor.GetAll.class);
    assertEquals(List.of(bytes("a"), bytes("b"), bytes("c")), batch.keys());
    cache.expectNoMessage(Duration.ofMillis(50));
    assertFalse(a.isDone());
    GetResult.Found valueOfB = new GetResult.Found(bytes("B"), true);
    batch.replyTo().tell(List.of(GetResult.NotFound.INSTANCE, valueOfB, new GetResult.Found(bytes("C"), false)));

    assertEquals(GetResult.NotFound.INSTANCE, a.get(5, TimeUnit.SECONDS));
    assertEquals(valueOfB, b.get(5, TimeUnit.SECONDS));
    assertEquals(new GetResult.Found(bytes("C"), false), c.get(5, TimeUnit.SECONDS));
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

    CacheActor.GetAll firstBatch = cache.expectMessageClass(CacheActor.GetAll.class);
    CacheActor.GetAll secondBatch = cache.expectMessageClass(CacheActor.GetAll.class);
    assertEquals(List.of(bytes("first")), firstBatch.keys());
    assertEquals(List.of(bytes("second")), secondBatch.keys());
    secondBatch.replyTo().tell(List.of(GetResult.NotFound.INSTANCE));
    firstBatch.replyTo().tell(List.of(new GetResult.Found(bytes("1"), true)));
    assertEquals(new GetResult.Found(bytes("1"), true), first.get(5, TimeUnit.SECONDS));
    assertEquals(GetResult.NotFound.INSTANCE, second.get(5, TimeUnit.SECONDS));
  }
}
