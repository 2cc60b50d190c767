package com.redisproxy.resp;

import com.redisproxy.cache.CacheClient;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.Lookup;
import com.redisproxy.resp.command.CacheReads;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/**
 * One event loop's reads of the cache, gathered across every connection the loop served in one
 * cycle and sent to the CacheActor as one message for their hits; the answers come back to the
 * loop in one task. A connection's keys that were not cached then go in a message of their own.
 * A message to the actor and a task back cost a thread wake-up each, whatever their size, so
 * this is where a pipeline-free load of many clients stops paying for each client. Used by the
 * loop's own thread only; futures complete on it.
 */
public final class LoopBatcher implements CacheReads {

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
    // The cycle's hits in one ask; a connection with keys not cached then asks for those alone,
    // so that no connection's hits wait for another connection's fetches.
    cache.getCached(sent).whenComplete((cached, failure) -> onLoop(() -> {
      for (Share share : waiting) deliver(share, sent, cached);
    }));
  }

  private void deliver(Share share, List<ByteString> sent, List<Lookup> cached) {
    List<GetResult> results = new ArrayList<>(share.count());
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < share.count(); i++) {
      if (cached.get(share.from() + i) instanceof GetResult result) results.add(result);
      else {
        results.add(null);
        missing.add(i);
      }
    }
    if (missing.isEmpty()) {
      share.answer().complete(results);
      return;
    }
    List<ByteString> missingKeys = new ArrayList<>(missing.size());
    for (int i : missing) missingKeys.add(sent.get(share.from() + i));
    cache.getAll(missingKeys).whenComplete((read, failure) -> onLoop(() -> {
      for (int j = 0; j < missing.size(); j++) results.set(missing.get(j), read.get(j));
      share.answer().complete(results);
    }));
  }

  private void onLoop(Runnable task) {
    if (loop.inEventLoop()) task.run();
    else loop.execute(task);
  }
}
