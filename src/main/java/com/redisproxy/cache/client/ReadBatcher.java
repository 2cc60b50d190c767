package com.redisproxy.cache.client;

import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.CacheKey;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.Lookup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A front end's reads of the cache, from any thread, sent to the CacheActor together: one
 * {@link CacheClient#read} for the keys of every read queued by the time {@code sendFrom} runs
 * the send. The CacheActor answers the cached keys at once, and a read whose keys are all cached
 * is answered then, so that no hit waits for a fetch (a hit behind a miss of a paused Redis would
 * wait out the pause). The keys not cached, of every read of the send, the CacheActor hands to
 * one fetcher, which writes them to Redis together: the reads that missed are answered together,
 * once Redis has answered their pipelined batch. On one Redis connection the replies come in
 * order anyway; in front of a Cluster a slow node holds back the other misses of the same send,
 * up to the fetch timeout.
 *
 * <p>Why: every ask schedules a timeout task that stays in the scheduler's wheel for the whole
 * ask timeout however soon the answer comes, for every young collection to copy; and a message to
 * the actor and a task back cost a thread wake-up each, whatever their size. A batch of hits pays
 * for one of each, however many reads it carries.
 *
 * <p>How many reads wait is bounded by the front ends: an HTTP connection has one request in
 * flight, a RESP connection one batch. A batch is one message in the CacheActor's bounded
 * mailbox, admitted as one ask.
 */
public final class ReadBatcher implements CacheReads {
  private record Read(List<CacheKey> keys, CompletableFuture<List<GetResult>> answer) {}

  /** A read with keys not cached: its results so far, and where the fetched ones go. */
  private record Missed(Read read, GetResult[] results, List<Integer> notCached) {}

  private final CacheClient cache;
  private final Executor sendFrom;
  private final Executor answerOn;
  private final ConcurrentLinkedQueue<Read> queued = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sendScheduled = new AtomicBoolean();

  /**
   * @param sendFrom runs the send, which takes every read queued by then: a Netty event loop runs
   *     it after the reads of its cycle, the thread the CacheActor runs on after the reads it has
   * @param answerOn completes the answers; {@code Runnable::run} completes them on the thread
   *     the cache answers on
   */
  public ReadBatcher(CacheClient cache, Executor sendFrom, Executor answerOn) {
    this.cache = cache;
    this.sendFrom = sendFrom;
    this.answerOn = answerOn;
  }

  @Override
  public CompletionStage<List<GetResult>> getAll(List<CacheKey> keys) {
    CompletableFuture<List<GetResult>> answer = new CompletableFuture<>();
    queued.add(new Read(keys, answer));
    if (sendScheduled.compareAndSet(false, true)) sendFrom.execute(this::send);
    return answer;
  }

  @Override
  public CompletionStage<Optional<CacheStats>> stats() {
    CompletableFuture<Optional<CacheStats>> answer = new CompletableFuture<>();
    cache.stats().thenAccept(stats -> answerOn.execute(() -> answer.complete(stats)));
    return answer;
  }

  private void send() {
    // Cleared before the queue is drained: a read queued after this line schedules a send of its
    // own (perhaps an empty one), so none is left waiting.
    sendScheduled.set(false);
    List<Read> batch = new ArrayList<>();
    List<CacheKey> keys = new ArrayList<>();
    for (Read read = queued.poll(); read != null; read = queued.poll()) {
      batch.add(read);
      for (CacheKey key : read.keys()) keys.add(key);
    }
    if (batch.isEmpty()) return;
    cache.read(keys).thenAccept(lookups -> answerOn.execute(() -> deliver(batch, lookups)));
  }

  private void deliver(List<Read> batch, CacheActor.Lookups lookups) {
    List<Lookup> cached = lookups.cached();
    // The list of misses is made only when there is one: a batch of hits allocates none.
    List<Missed> missed = null;
    int from = 0;
    for (Read read : batch) {
      GetResult[] results = new GetResult[read.keys().size()];
      List<Integer> notCached = null;
      for (int i = 0; i < results.length; i++) {
        if (cached.get(from + i) instanceof GetResult result) {
          results[i] = result;
          continue;
        }
        if (notCached == null) notCached = new ArrayList<>();
        notCached.add(i);
      }
      from += results.length;
      if (notCached == null) {
        read.answer().complete(Arrays.asList(results));
        continue;
      }
      if (missed == null) missed = new ArrayList<>();
      missed.add(new Missed(read, results, notCached));
    }
    if (missed == null) return;
    answerFetched(missed, lookups.fetched());
  }

  // The cache fetched the keys not cached in the order of the batch: read by read, key by key.
  private void answerFetched(List<Missed> missed, CompletionStage<List<GetResult>> answers) {
    answers.thenAccept(fetched -> answerOn.execute(() -> {
      int next = 0;
      for (Missed miss : missed) {
        for (int i : miss.notCached()) miss.results()[i] = fetched.get(next++);
        miss.read().answer().complete(Arrays.asList(miss.results()));
      }
    }));
  }
}
