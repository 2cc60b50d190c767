package com.redisproxy.resp.forward.pinned;

import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.command.BlockingWait;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;

/**
 * Bounds how long a pinned session waits on Redis, so that a silent Redis (or a connection a
 * middlebox stopped forwarding) never holds a client for good. A reply may be owed for the forward
 * timeout beyond what its command blocks by design, counted from when it was sent or from the last
 * thing Redis said, whichever is later (replies come in order). A session waiting on a blocking
 * command, subscribed or in MONITOR cannot ask on its own connection, where Redis rightly says
 * nothing until the wait ends: once it has heard nothing for the forward timeout, Redis is asked
 * for a PING on the loop's shared connection (again every forward timeout), and a Redis that does
 * not answer it within the forward timeout ends the session; so a wait with no end (BLPOP k 0) is
 * bounded too, when Redis, or the way to it, falls silent. Time stands still while the client is
 * not reading: Redis is not read then. Used by the loop's thread only.
 */
final class PinnedWaits {

  /** The session watched. */
  interface Session {
    /** Redis did not answer in time: the session ends, and {@code error} tells the client why. */
    void givenUp(ByteString error);

    /** True when Redis answered a PING on another connection, within the forward timeout. */
    CompletionStage<Boolean> redisAnswers();
  }

  private record Owed(long sentAt, BlockingWait blocking) {}

  private final EventLoop loop;
  private final long timeoutNanos;
  private final Session session;
  private final ByteString timedOut;
  private final ByteString unanswered;
  private final ArrayDeque<Owed> owed = new ArrayDeque<>();
  private boolean withoutEnd;
  private long heardAt = System.nanoTime();
  private boolean paused;
  private boolean asking;
  private boolean over;
  private ScheduledFuture<?> check;

  /** @param timeout the forward timeout; zero: no bound */
  PinnedWaits(EventLoop loop, Duration timeout, Session session) {
    this.loop = loop;
    this.timeoutNanos = timeout.toNanos();
    this.session = session;
    this.timedOut = new RespWriter().error("ERR the backing Redis did not answer within " + timeout.toMillis()
        + "ms (beyond the command's own timeout); this connection's state (MULTI, WATCH, SELECT ...) is lost"
        + " and it is closed").result();
    this.unanswered = new RespWriter().error("ERR the backing Redis answered no PING within " + timeout.toMillis()
        + "ms while this connection waited on it (a blocking command, SUBSCRIBE, MONITOR ...);"
        + " its state is lost and it is closed").result();
  }

  /** A request went out whose reply is owed (once Redis accepts it, it may block {@code wait}). */
  void sent(BlockingWait wait) {
    owed.add(new Owed(System.nanoTime(), wait));
    arm();
  }

  /** The oldest owed reply came. */
  void answered() {
    owed.poll();
    heard();
  }

  /** Redis said something on the session's connection. */
  void heard() {
    heardAt = System.nanoTime();
  }

  /** From now on replies are not owed one to one (subscribed, MONITOR, CLIENT REPLY OFF): a wait with no end. */
  void waitWithoutEnd() {
    withoutEnd = true;
    owed.clear(); // replies to requests before it are no longer counted either
    arm();
  }

  /** The client stops (true) or starts again (false) reading what it is sent; Redis is not read meanwhile. */
  void paused(boolean paused) {
    if (this.paused && !paused) heard();
    this.paused = paused;
  }

  /** The session ended: nothing more is checked. */
  void stop() {
    over = true;
    if (check != null) check.cancel(false);
  }

  private void arm() {
    if (check == null && !over && timeoutNanos > 0) schedule(timeoutNanos);
  }

  private void schedule(long delayNanos) {
    check = loop.schedule(this::check, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
  }

  private void check() {
    check = null;
    if (over) return;
    long now = System.nanoTime();
    if (paused) {
      heardAt = now; // the client holds Redis back, not the other way round
      schedule(timeoutNanos);
      return;
    }
    Owed next = owed.peek();
    if (next == null && !withoutEnd) return; // nothing owed: armed again by the next request
    long untilDue = Long.MAX_VALUE;
    if (next != null && !next.blocking().endless()) {
      long due = plus(Math.max(next.sentAt(), heardAt), plus(timeoutNanos, next.blocking().nanos()));
      if (now - due >= 0) {
        giveUp(timedOut);
        return;
      }
      untilDue = due - now;
      if (next.blocking().nanos() == 0) {
        schedule(untilDue);
        return;
      }
    }
    // Waiting while Redis may rightly say nothing: is Redis there at all?
    long untilAsk = heardAt + timeoutNanos - now;
    if (untilAsk <= 0) {
      if (!asking) ask();
      untilAsk = timeoutNanos;
    }
    schedule(Math.min(untilDue, untilAsk));
  }

  private void ask() {
    asking = true;
    session.redisAnswers().whenComplete((answers, failure) -> loop.execute(() -> {
      asking = false;
      if (over) return;
      if (failure == null && answers) {
        heard();
        arm();
      } else {
        giveUp(unanswered);
      }
    }));
  }

  private void giveUp(ByteString error) {
    stop();
    session.givenUp(error);
  }

  // Saturating: a blocking command's own timeout may be near Long.MAX_VALUE nanoseconds.
  private static long plus(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}
