package com.redisproxy.cache.client;

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
import org.apache.pekko.util.ByteString;

/**
 * A front end's reads of the cache, from any thread, sent to the CacheActor together: one
 * {@link CacheClient#getCached} for the keys of every read queued by the time {@code sendFrom}
 * runs the send, then, for each read with keys not cached, one ask for those alone, so that no
 * read's hits wait for another's fetch (a hit behind a miss of a paused Redis would wait out the
 * pause).
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
  private record Read(List<ByteString> keys, CompletableFuture<List<GetResult>> answer) {}

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
  public CompletionStage<List<GetResult>> getAll(List<ByteString> keys) {
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
    List<ByteString> keys = new ArrayList<>();
    for (Read read = queued.poll(); read != null; read = queued.poll()) {
      batch.add(read);
      for (ByteString key : read.keys()) keys.add(key);
    }
    if (batch.isEmpty()) return;
    cache.getCached(keys).thenAccept(cached -> answerOn.execute(() -> {
      int from = 0;
      for (Read read : batch) {
        int to = from + read.keys().size();
        deliver(read, cached.subList(from, to));
        from = to;
      }
    }));
  }

  private void deliver(Read read, List<Lookup> cached) {
    GetResult[] results = new GetResult[cached.size()];
    List<Integer> notCached = new ArrayList<>();
    for (int i = 0; i < results.length; i++) {
      if (cached.get(i) instanceof GetResult result) results[i] = result;
      else notCached.add(i);
    }
    if (notCached.isEmpty()) {
      read.answer().complete(Arrays.asList(results));
      return;
    }
    List<ByteString> toRead = new ArrayList<>(notCached.size());
    for (int i : notCached) toRead.add(read.keys().get(i));
    cache.getAll(toRead).thenAccept(fetched -> answerOn.execute(() -> {
      for (int j = 0; j < fetched.size(); j++) results[notCached.get(j)] = fetched.get(j);
      read.answer().complete(Arrays.asList(results));
    }));
  }
}
