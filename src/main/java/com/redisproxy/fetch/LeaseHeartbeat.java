package com.redisproxy.fetch;

import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Proves that a connection still hears Redis: a PING four times a lease. Redis answers in order,
 * so a PONG arrives after every push Redis wrote before the PING reached it: the connection's
 * invalidations are complete up to the moment the PING was sent, and that moment, not the PONG's
 * arrival, is what a renewal reports. When no PING sent within the last lease has been answered,
 * the lease has lapsed (reported once, until a renewal); when none has been answered for the
 * silence limit, the connection is taken as dead, reported once, and the heartbeat stops.
 */
public final class LeaseHeartbeat {
  private static final int BEATS_PER_LEASE = 4;

  /** What the owner is told. */
  public interface Events {
    /** A PING sent at {@code pingSentAt} ({@link System#nanoTime}) was answered. */
    void renewed(long pingSentAt);

    /** No PING sent within the lease has been answered (yet): the connection may still come back. */
    default void lapsed() {}

    /** No PING answered for the silence limit: the connection is to be replaced. */
    void silent();
  }

  private final StatefulRedisConnection<?, ?> connection;
  private final long leaseNanos;
  private final long silenceLimitNanos;
  private final Events events;
  private final ScheduledFuture<?> beats;
  private long lastAnsweredPing;
  private boolean lapseReported;
  private boolean stopped;

  /**
   * @param provenAt when the connection was last known to hear everything (e.g. CLIENT TRACKING was sent)
   * @param silenceLimit at least the lease
   */
  public LeaseHeartbeat(StatefulRedisConnection<?, ?> connection, long provenAt, Duration lease, Duration silenceLimit,
      ScheduledExecutorService timer, Events events) {
    this.connection = connection;
    this.leaseNanos = lease.toNanos();
    this.silenceLimitNanos = Math.max(leaseNanos, silenceLimit.toNanos());
    this.events = events;
    this.lastAnsweredPing = provenAt;
    long period = Math.max(1, leaseNanos / BEATS_PER_LEASE);
    this.beats = timer.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.NANOSECONDS);
  }

  /** No more PINGs or reports. */
  public synchronized void stop() {
    stopped = true;
    beats.cancel(false);
  }

  private void beat() {
    long now = System.nanoTime();
    boolean lapsed = false;
    boolean silent = false;
    synchronized (this) {
      if (stopped) return;
      long unanswered = now - lastAnsweredPing;
      if (unanswered >= silenceLimitNanos) {
        stop();
        silent = true;
      } else {
        if (unanswered >= leaseNanos && !lapseReported) lapsed = lapseReported = true;
        ping(now);
      }
    }
    // Reported outside the lock, which a renewal holds while it reports. Decided inside it: a
    // heartbeat its owner stopped meanwhile (its connection went down, and may be up again
    // already) is not silent, and reporting it so would cut the connection once more.
    if (silent) events.silent();
    else if (lapsed) events.lapsed();
  }

  private void ping(long sentAt) {
    try {
      connection.async().ping().thenRun(() -> answered(sentAt));
    } catch (RuntimeException closed) {
      // a closed connection: its PINGs go unanswered and it falls silent
    }
  }

  // Synchronized with stop: no renewal is reported once the connection was reported silent.
  private synchronized void answered(long sentAt) {
    if (stopped || sentAt - lastAnsweredPing <= 0) return;
    lastAnsweredPing = sentAt;
    lapseReported = false;
    events.renewed(sentAt);
  }
}
