package com.redisproxy.fetch;

/**
 * The heartbeat's two judgements, on {@link System#nanoTime} instants the caller gives (pure, so
 * tests give their own). Not thread-safe: {@link LeaseHeartbeat} holds its lock around it.
 *
 * <p><b>The lease</b> runs from when the last answered PING was <em>sent</em>: only a PONG proves
 * that every invalidation Redis wrote before that PING reached it has been read. Nothing else
 * renews it.
 *
 * <p><b>Silence</b> (the connection is replaced) is judged on any reply read from Redis, not on
 * PONGs alone: a PING written behind a batch of thousands of reads is answered only after the
 * batch, and on a loaded machine reading that batch can outlast the silence limit while its
 * replies arrive all along. And it is judged only by a beat that came on time: a beat that comes
 * late shows the proxy itself was stalled (CPU starved, a GC pause), so what Redis sent meanwhile
 * may wait unread in the socket; the next beat, a period later, judges instead. Its owner confirms
 * a SILENT on the connection's own event loop ({@link #stillSilent}), which reads what is ready before
 * it runs a task: a loop too busy to read (a long task on it) is not taken for a silent Redis.
 */
final class HeartbeatRule {
  /** What a beat finds. */
  enum Verdict {
    /** The lease is held, or its lapse was already reported. */
    QUIET,
    /** No PING sent within the lease has been answered: reported once, until a renewal. */
    LAPSED,
    /** Nothing read from Redis for the silence limit: the connection is to be replaced. */
    SILENT
  }

  private final long leaseNanos;
  private final long silenceLimitNanos;
  private final long periodNanos;
  private long lastAnsweredPing;
  private long lastHeard;
  private long lastBeat;
  private boolean lapseReported;

  /** @param provenAt when the connection was last known to hear everything, and was heard from */
  HeartbeatRule(long provenAt, long leaseNanos, long silenceLimitNanos, long periodNanos) {
    this.leaseNanos = leaseNanos;
    this.silenceLimitNanos = Math.max(leaseNanos, silenceLimitNanos);
    this.periodNanos = periodNanos;
    this.lastAnsweredPing = provenAt;
    this.lastHeard = provenAt;
    this.lastBeat = provenAt;
  }

  /** A PING sent at {@code sentAt} was answered at {@code at}: true if that renews the lease. */
  boolean pingAnswered(long sentAt, long at) {
    heard(at);
    if (sentAt - lastAnsweredPing <= 0) return false;
    lastAnsweredPing = sentAt;
    lapseReported = false;
    return true;
  }

  /** Something (any reply, a push) was read from Redis at {@code at}: proof of life, not of the lease. */
  void heard(long at) {
    if (at - lastHeard > 0) lastHeard = at;
  }

  /**
   * True while nothing has been read for the silence limit at {@code now}: a beat's SILENT checked
   * again where the connection reads, once what waited to be read has been.
   */
  boolean stillSilent(long now) {
    return now - lastHeard >= silenceLimitNanos;
  }

  /** A beat at {@code now}; a SILENT, once confirmed ({@link #stillSilent}), ends the beats. */
  Verdict beat(long now) {
    boolean onTime = now - lastBeat <= 2 * periodNanos;
    lastBeat = now;
    // The lapse first: the lease is the bound, and a silence waiting to be confirmed must not hold its report back.
    if (now - lastAnsweredPing >= leaseNanos && !lapseReported) {
      lapseReported = true;
      return Verdict.LAPSED;
    }
    return onTime && stillSilent(now) ? Verdict.SILENT : Verdict.QUIET;
  }
}
