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
 * the lease has lapsed and the owner is told once; nothing is reported after that.
 */
public final class LeaseHeartbeat {
  private static final int BEATS_PER_LEASE = 4;

  private final StatefulRedisConnection<?, ?> connection;
  private final long leaseNanos;
  private final LongConsumer renewed;
  private final Runnable lapsed;
  private final ScheduledFuture<?> beats;
  private long lastAnsweredPing;
  private boolean stopped;

  /**
   * @param provenAt when the connection was last known to hear everything (e.g. CLIENT TRACKING was sent)
   * @param renewed given the sending time of each PING answered
   * @param lapsed called once, when the lease lapses
   */
  public LeaseHeartbeat(StatefulRedisConnection<?, ?> connection, long provenAt, Duration lease,
      ScheduledExecutorService timer, LongConsumer renewed, Runnable lapsed) {
    this.connection = connection;
    this.leaseNanos = lease.toNanos();
    this.renewed = renewed;
    this.lapsed = lapsed;
    this.lastAnsweredPing = provenAt;
    long period = Math.max(1, leaseNanos / BEATS_PER_LEASE);
    this.beats = timer.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.NANOSECONDS);
  }

  /** No more PINGs, renewals or lapse. */
  public synchronized void stop() {
    stopped = true;
    beats.cancel(false);
  }

  private void beat() {
    long now = System.nanoTime();
    synchronized (this) {
      if (stopped) return;
      if (now - lastAnsweredPing >= leaseNanos) {
        stop();
      } else {
        try {
          connection.async().ping().thenRun(() -> answered(now));
        } catch (RuntimeException closed) {
          // a closed connection: its PINGs go unanswered and the lease lapses
        }
        return;
      }
    }
    lapsed.run();
  }

  // Synchronized with the lapse: no renewal is reported after the lapse was.
  private synchronized void answered(long sentAt) {
    if (stopped || sentAt - lastAnsweredPing <= 0) return;
    lastAnsweredPing = sentAt;
    renewed.accept(sentAt);
  }
}
