package com.redisproxy.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.CacheClient;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.InvalidationInbox;
import com.redisproxy.cache.Lookup;
import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** One cycle's connections ask for their hits together, and one connection's miss holds up no other. */
class LoopBatcherTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final DefaultEventLoop loop = new DefaultEventLoop();

  @AfterAll
  static void shutdown() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  private static ByteString bytes(String text) {
    return ByteString.fromString(text);
  }

  @Test
  void aConnectionsHitsAreAnsweredWhileAnotherConnectionOfTheSameCycleWaitsForAFetch() throws Exception {
    TestProbe<CacheActor.Command> cache = testKit.createTestProbe();
    LoopBatcher batcher = new LoopBatcher(new CacheClient(
        cache.getRef(), testKit.system().scheduler(), Duration.ofSeconds(30), 100, new InvalidationInbox(100)), loop);

    // Two connections read in one cycle: the batcher's send runs after this task.
    AtomicReference<CompletableFuture<List<GetResult>>> first = new AtomicReference<>();
    AtomicReference<CompletableFuture<List<GetResult>>> second = new AtomicReference<>();
    loop.submit(() -> {
      first.set(batcher.getAll(List.of(bytes("hot"))).toCompletableFuture());
      second.set(batcher.getAll(List.of(bytes("hot"), bytes("cold"))).toCompletableFuture());
    }).get(5, TimeUnit.SECONDS);

    CacheActor.GetCached hits = cache.expectMessageClass(CacheActor.GetCached.class);
    assertEquals(List.of(bytes("hot"), bytes("hot"), bytes("cold")), hits.keys());
    GetResult.Found hot = new GetResult.Found(bytes("H"), true);
    hits.replyTo().tell(List.of(hot, hot, Lookup.NotCached.INSTANCE));

    assertEquals(List.of(hot), first.get().get(5, TimeUnit.SECONDS));
    CacheActor.GetAll misses = cache.expectMessageClass(CacheActor.GetAll.class);
    assertEquals(List.of(bytes("cold")), misses.keys());
    assertFalse(second.get().isDone(), "the second connection waits for its miss");
    GetResult.Found cold = new GetResult.Found(bytes("C"), false);
    misses.replyTo().tell(List.of(cold));
    assertEquals(List.of(hot, cold), second.get().get(5, TimeUnit.SECONDS));
  }
}
