package com.redisproxy.cache;

import com.redisproxy.fetch.InvalidationListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invalidations on their way from Redis's push messages to the CacheActor. Lettuce's threads add
 * to it; the actor, signalled by at most one message in flight, takes everything at once. So a
 * storm of writes in Redis cannot overflow the actor's bounded mailbox (a dropped invalidation
 * would mean a stale value), and past {@code maxQueuedKeys} it collapses into "clear everything".
 */
public final class InvalidationInbox implements InvalidationListener {
  private static final Logger log = LoggerFactory.getLogger(InvalidationInbox.class);
  private final int maxQueuedKeys;
  private final ConcurrentLinkedQueue<ByteString> keys = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedKeys = new AtomicInteger();
  private final ConcurrentLinkedQueue<Predicate<byte[]>> keysMatching = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean everything = new AtomicBoolean();
  private final AtomicBoolean signalled = new AtomicBoolean();
  private final AtomicLong messages = new AtomicLong();
  private volatile Runnable signal = () -> {};

  public InvalidationInbox(int maxQueuedKeys) {
    this.maxQueuedKeys = maxQueuedKeys;
  }

  /** What the actor takes out: everything, or these keys and the keys any of these predicates match. */
  record Taken(boolean everything, List<ByteString> keys, List<Predicate<byte[]>> keysMatching) {}

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

  // Rare (a cluster node lost or failed over) and few at a time: never collapsed into "everything".
  @Override
  public void invalidatedWhere(Predicate<byte[]> keyMatches, String reason) {
    messages.incrementAndGet();
    log.debug("Some cached keys dropped: {}", reason);
    keysMatching.add(keyMatches);
    notifyActor();
  }

  // At debug: a forwarded write whose keys the command table cannot name (EVAL ...) clears everything each time.
  @Override
  public void everythingInvalidated(String reason) {
    messages.incrementAndGet();
    log.debug("The whole cache dropped: {}", reason);
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

  Taken take() {
    signalled.set(false);
    boolean all = everything.getAndSet(false);
    List<ByteString> taken = new ArrayList<>();
    ByteString key;
    while ((key = keys.poll()) != null) taken.add(key);
    queuedKeys.addAndGet(-taken.size());
    List<Predicate<byte[]>> matching = new ArrayList<>();
    Predicate<byte[]> predicate;
    while ((predicate = keysMatching.poll()) != null) matching.add(predicate);
    return new Taken(all, taken, matching);
  }

  private void notifyActor() {
    if (signalled.compareAndSet(false, true)) signal.run();
  }
}
