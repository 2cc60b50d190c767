package com.redisproxy.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.util.ByteString;

/**
 * Single-key reads from any thread, sent to the CacheActor together: one {@link CacheClient#getCached}
 * for every read queued by the time {@code executor} runs the send (the HTTP front end's reads,
 * with the RESP event loop the CacheActor runs on as the executor), then one ask per key that was
 * not cached.
 *
 * <p>Why: every ask schedules a timeout task that stays in the scheduler's wheel for the whole
 * ask-timeout even when the answer came in a millisecond, for every young collection to copy. A
 * batch of hits is one ask however many reads it carries, so far fewer tasks live at once.
 *
 * <p>How many reads wait is bounded by the front end: each HTTP connection has one request in
 * flight. A batch is one message in the CacheActor's bounded mailbox, admitted as one ask.
 */
public final class BatchedReads {
  private record Read(ByteString key, CompletableFuture<GetResult> answer) {}

  private final CacheClient cache;
  private final Executor executor;
  private final ConcurrentLinkedQueue<Read> queued = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sendScheduled = new AtomicBoolean();

  public BatchedReads(CacheClient cache, Executor executor) {
    this.cache = cache;
    this.executor = executor;
  }

  /** The value of {@code key}; the future completes on the thread the cache answers on. */
  public CompletionStage<GetResult> get(ByteString key) {
    CompletableFuture<GetResult> answer = new CompletableFuture<>();
    queued.add(new Read(key, answer));
    if (sendScheduled.compareAndSet(false, true)) executor.execute(this::send);
    return answer;
  }

  private void send() {
    // Cleared before the queue is drained: a read queued after this line schedules a send of its
    // own (perhaps an empty one), so none is left waiting.
    sendScheduled.set(false);
    List<Read> batch = new ArrayList<>();
    for (Read read = queued.poll(); read != null; read = queued.poll()) batch.add(read);
    if (batch.isEmpty()) return;
    List<ByteString> keys = new ArrayList<>(batch.size());
    for (Read read : batch) keys.add(read.key());
    // The batch's hits in one ask; each other key then goes on its own, so that no read waits
    // for another's fetch (a hit behind a miss of a paused Redis would wait out the pause).
    cache.getCached(keys).thenAccept(results -> {
      for (int i = 0; i < batch.size(); i++) {
        Read read = batch.get(i);
        GetResult cached = results.get(i);
        if (cached != null) read.answer().complete(cached);
        else cache.get(read.key()).thenAccept(read.answer()::complete);
      }
    });
  }
}
