package com.redisproxy.resp;

import com.redisproxy.cache.CacheClient;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/**
 * One event loop's reads of the cache, gathered across every connection the loop served in one
 * cycle and sent to the CacheActor as one message; the answers come back to the loop in one task.
 * A message to the actor and a task back cost a thread wake-up each, whatever their size, so
 * this is where a pipeline-free load of many clients stops paying for each client. Used by the
 * loop's own thread only; futures complete on it.
 */
final class LoopBatcher implements CacheReads {

  /** One connection's share of the cycle's keys. */
  private record Share(int from, int count, CompletableFuture<List<GetResult>> answer) {}

  private final CacheClient cache;
  private final EventLoop loop;
  private List<ByteString> keys = new ArrayList<>();
  private List<Share> shares = new ArrayList<>();

  LoopBatcher(CacheClient cache, EventLoop loop) {
    this.cache = cache;
    this.loop = loop;
  }

  @Override
  public CompletionStage<List<GetResult>> getAll(List<ByteString> batchKeys) {
    CompletableFuture<List<GetResult>> answer = new CompletableFuture<>();
    // Netty runs tasks after the cycle's reads: the send waits for every connection of this cycle.
    if (shares.isEmpty()) loop.execute(this::send);
    shares.add(new Share(keys.size(), batchKeys.size(), answer));
    keys.addAll(batchKeys);
    return answer;
  }

  @Override
  public CompletionStage<Optional<CacheStats>> stats() {
    CompletableFuture<Optional<CacheStats>> onLoop = new CompletableFuture<>();
    cache.stats().whenComplete((stats, failure) -> loop.execute(() -> onLoop.complete(stats)));
    return onLoop;
  }

  private void send() {
    List<ByteString> sent = keys;
    List<Share> waiting = shares;
    keys = new ArrayList<>();
    shares = new ArrayList<>();
    cache.getAll(sent).whenComplete((results, failure) -> {
      if (loop.inEventLoop()) deliver(waiting, results);
      else loop.execute(() -> deliver(waiting, results));
    });
  }

  private static void deliver(List<Share> waiting, List<GetResult> results) {
    for (Share share : waiting) share.answer().complete(results.subList(share.from(), share.from() + share.count()));
  }
}
