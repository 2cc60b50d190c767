package com.redisproxy.fetch;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.pekko.util.ByteString;

/**
 * Proves that a connection still hears Redis: a PING four times a lease. Redis answers in order,
 * so a PONG arrives after every push Redis wrote before the PING reached it: the connection's
 * invalidations are complete up to the moment the PING was sent, and that moment, not the PONG's
 * arrival, is what a renewal reports. When no PING sent within the last lease has been answered,
 * the lease has lapsed (reported once, until a renewal). When nothing at all has been read from
 * Redis on it for the silence limit, judged by a beat that came on time, the connection is taken
 * as dead (confirmed on the loop where it reads), reported once, and the heartbeat stops
 * ({@link HeartbeatRule} has both rules).
 */
public final class LeaseHeartbeat {
  private static final int BEATS_PER_LEASE = 4;

  /** What the owner is told. */
  public interface Events {
    /** A PING sent at {@code pingSentAt} ({@link System#nanoTime}) was answered. */
    void renewed(long pingSentAt);

    /** No PING sent within the lease has been answered (yet): the connection may still come back. */
    default void lapsed() {}

    /** Nothing read from Redis for the silence limit: the connection is to be replaced. */
    void silent();
  }

  /**
   * The heartbeat's PING, by which the reader of its connection's replies (fetch/redis BatchReplies)
   * finds the heartbeat: it tells it of every read, and where it reads.
   */
  public static final class Ping extends Command<ByteString, ByteString, String> {
    private final LeaseHeartbeat heartbeat;

    private Ping(LeaseHeartbeat heartbeat) {
      super(CommandType.PING, new StatusOutput<>(ByteStringCodec.INSTANCE));
      this.heartbeat = heartbeat;
    }

    /**
     * The connection reads on {@code loop}; returns whom to tell the {@link System#nanoTime} of
     * each read of a reply (any reply) there.
     */
    public LongConsumer readOn(Executor loop) {
      heartbeat.readLoop = loop;
      return heartbeat::heard;
    }
  }

  private final StatefulRedisConnection<?, ?> connection;
  private final Events events;
  private final ScheduledFuture<?> beats;
  private final HeartbeatRule rule;
  private boolean stopped;
  private boolean confirming;
  // Where the connection reads its replies, once a PING told; until then silence is not confirmed there.
  private volatile Executor readLoop;

  /**
   * @param provenAt when the connection was last known to hear everything (e.g. CLIENT TRACKING was sent)
   * @param silenceLimit at least the lease
   */
  public LeaseHeartbeat(StatefulRedisConnection<?, ?> connection, long provenAt, Duration lease,
      Duration silenceLimit, ScheduledExecutorService timer, Events events) {
    this.connection = connection;
    this.events = events;
    long period = Math.max(1, lease.toNanos() / BEATS_PER_LEASE);
    this.rule = new HeartbeatRule(provenAt, lease.toNanos(), silenceLimit.toNanos(), period);
    this.beats = timer.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.NANOSECONDS);
  }

  /** No more PINGs or reports. */
  public synchronized void stop() {
    stopped = true;
    beats.cancel(false);
  }

  private void beat() {
    long now = System.nanoTime();
    HeartbeatRule.Verdict verdict;
    Executor confirmOn = null;
    synchronized (this) {
      if (stopped) return;
      verdict = rule.beat(now);
      if (verdict == HeartbeatRule.Verdict.SILENT && readLoop == null) {
        stop();
      } else {
        ping(now);
        if (verdict == HeartbeatRule.Verdict.SILENT) {
          if (confirming) return;
          confirming = true;
          confirmOn = readLoop;
        }
      }
    }
    if (confirmOn != null) {
      confirmOnLoop(confirmOn);
      return;
    }
    // Reported outside the lock, which a renewal holds while it reports. Decided inside it: a
    // heartbeat its owner stopped meanwhile (its connection went down, and may be up again
    // already) is not silent, and reporting it so would cut the connection once more.
    if (verdict == HeartbeatRule.Verdict.SILENT) events.silent();
    else if (verdict == HeartbeatRule.Verdict.LAPSED) events.lapsed();
  }

  // The loop reads what is ready before it runs a task: a PONG or a reply waiting there is heard first.
  private void confirmOnLoop(Executor loop) {
    try {
      loop.execute(this::confirmSilence);
    } catch (RuntimeException shutDown) {
      confirmSilence(); // a loop that no longer runs reads nothing more
    }
  }

  private void confirmSilence() {
    synchronized (this) {
      confirming = false;
      if (stopped || !rule.stillSilent(System.nanoTime())) return;
      stop();
    }
    events.silent();
  }

  private void ping(long sentAt) {
    try {
      AsyncCommand<ByteString, ByteString, String> ping = new AsyncCommand<>(new Ping(this));
      dispatch(connection, ping);
      ping.thenRun(() -> answered(sentAt));
    } catch (RuntimeException closed) {
      // a closed connection: its PINGs go unanswered and it falls silent
    }
  }

  // PING has neither key nor value: it is written alike whatever the connection's codec.
  @SuppressWarnings("unchecked")
  private static <K, V> void dispatch(StatefulRedisConnection<K, V> connection, AsyncCommand<?, ?, String> ping) {
    connection.dispatch((AsyncCommand<K, V, String>) ping);
  }

  // From the connection's event loop, on every read: cheap, and never blocks it for long.
  private synchronized void heard(long at) {
    rule.heard(at);
  }

  // Synchronized with stop: no renewal is reported once the connection was reported silent.
  private synchronized void answered(long sentAt) {
    if (stopped) return;
    if (rule.pingAnswered(sentAt, System.nanoTime())) events.renewed(sentAt);
  }
}
