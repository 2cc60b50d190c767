package com.redisproxy.cache;

import com.redisproxy.fetch.InvalidationListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.util.ByteString;

/**
 * Invalidations on their way from Redis's push messages to the CacheActor. Lettuce's threads add
 * to it; the actor, signalled by at most one message in flight, takes everything at once. So a
 * storm of writes in Redis cannot overflow the actor's bounded mailbox (a dropped invalidation
 * would mean a stale value), and past {@code maxQueuedKeys} it collapses into "clear everything".
 */
public final class InvalidationInbox implements InvalidationListener {
  private final int maxQueuedKeys;
  private final ConcurrentLinkedQueue<ByteString> keys = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedKeys = new AtomicInteger();
  private final AtomicBoolean everything = new AtomicBoolean();
  private final AtomicBoolean signalled = new AtomicBoolean();
  private final AtomicLong messages = new AtomicLong();
  private volatile Runnable signal = () -> {};

  public InvalidationInbox(int maxQueuedKeys) {
    this.maxQueuedKeys = maxQueuedKeys;
  }

  /** What the actor takes out: everything, or these keys. */
  record Taken(boolean everything, List<ByteString> keys) {}

  @Override
  public void invalidated(List<ByteString> changed) {
    messages.incrementAndGet();
    if (queuedKeys.addAndGet(changed.size()) > maxQueuedKeys) {
      queuedKeys.addAndGet(-changed.size()); // queued nothing: the count must not keep them
      everything.set(true);
    } else {
      keys.addAll(changed);
    }
    notifyActor();
  }

  @Override
  public void everythingInvalidated(String reason) {
    messages.incrementAndGet();
    everything.set(true);
    notifyActor();
  }

  /** Invalidation messages received so far. */
  long messages() {
    return messages.get();
  }

  void onArrival(Runnable signal) {
    this.signal = signal;
  }

  /** Keys queued and not taken yet. */
  int queuedKeys() {
    return queuedKeys.get();
  }

  Taken take() {
    signalled.set(false);
    boolean all = everything.getAndSet(false);
    List<ByteString> taken = new ArrayList<>();
    ByteString key;
    while ((key = keys.poll()) != null) taken.add(key);
    queuedKeys.addAndGet(-taken.size());
    return new Taken(all, taken);
  }

  private void notifyActor() {
    if (signalled.compareAndSet(false, true)) signal.run();
  }
}
