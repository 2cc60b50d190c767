package com.redisproxy.cache;

import com.redisproxy.fetch.InvalidationListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>It also keeps the tracking connections' leases ({@link Lease}): the actor takes the lease
 * before the invalidations, so a renewal it sees comes with every push that arrived before it.
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
  private final long leaseNanos;
  // Each channel's latest answered PING's sending time; the oldest of them is the lease.
  private final Map<Object, Long> channels = new HashMap<>();
  private volatile Lease lease = Lease.NONE;

  /** Without a lease: the values of a lost channel stay served. */
  public InvalidationInbox(int maxQueuedKeys) {
    this(maxQueuedKeys, Duration.ZERO);
  }

  /**
   * @param lease how long after a channel's PING was sent its values may be served; zero keeps no
   *     lease (no tracking, or cache.serve-stale-without-lease): a lost channel's values are kept
   */
  public InvalidationInbox(int maxQueuedKeys, Duration lease) {
    this.maxQueuedKeys = maxQueuedKeys;
    this.leaseNanos = lease.toNanos();
  }

  /**
   * What the actor takes out: everything, or these keys and the keys any of these predicates match;
   * and the lease as it was before they were taken.
   */
  record Taken(boolean everything, List<ByteString> keys, List<Predicate<byte[]>> keysMatching, Lease lease) {}

  /**
   * Until when every live channel has proved that its invalidations are complete: the oldest of
   * their latest PINGs answered, plus the lease. {@link #NONE} when no channel is live.
   */
  record Lease(boolean live, long heldUntil) {
    static final Lease NONE = new Lease(false, 0);

    /** True while {@code now} (on {@link System#nanoTime}'s clock) is before the lease's end. */
    boolean heldAt(long now) {
      return live && now - heldUntil < 0;
    }
  }

  @Override
  public synchronized void leaseRenewed(Object channel, long pingSentAt) {
    channels.merge(channel, pingSentAt, (was, now) -> now - was > 0 ? now : was);
    lease = oldest();
    notifyActor();
  }

  // The keys go first, then the channel: a lease taken without the channel comes with the drop.
  @Override
  public void leaseLost(Object channel, Optional<Predicate<byte[]>> tracked, String reason) {
    if (leaseNanos > 0) {
      if (tracked.isPresent()) invalidatedWhere(tracked.get(), reason);
      else everythingInvalidated(reason);
    }
    synchronized (this) {
      channels.remove(channel);
      lease = oldest();
    }
    notifyActor();
  }

  /** True when no lease is kept, or the lease is held at {@code now} ({@link System#nanoTime}). */
  public boolean leaseHeld(long now) {
    return leaseNanos == 0 || lease.heldAt(now);
  }

  private Lease oldest() {
    if (channels.isEmpty()) return Lease.NONE;
    long oldest = channels.values().stream().reduce((a, b) -> b - a < 0 ? b : a).orElseThrow();
    return new Lease(true, oldest + leaseNanos);
  }

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

  // Signalled at once: what arrived before the actor started (a lease renewed) is taken now.
  void onArrival(Runnable signal) {
    this.signal = signal;
    signal.run();
  }

  Taken take() {
    signalled.set(false);
    Lease leaseBefore = lease;
    boolean all = everything.getAndSet(false);
    List<ByteString> taken = new ArrayList<>();
    ByteString key;
    while ((key = keys.poll()) != null) taken.add(key);
    queuedKeys.addAndGet(-taken.size());
    List<Predicate<byte[]>> matching = new ArrayList<>();
    Predicate<byte[]> predicate;
    while ((predicate = keysMatching.poll()) != null) matching.add(predicate);
    return new Taken(all, taken, matching, leaseBefore);
  }

  private void notifyActor() {
    if (signalled.compareAndSet(false, true)) signal.run();
  }
}
