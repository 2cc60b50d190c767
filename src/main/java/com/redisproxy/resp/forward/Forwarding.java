package com.redisproxy.resp.forward;

import com.redisproxy.resp.command.CommandTable;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a connection needs to send commands on to Redis: the command table, where Redis is (asked at each use), how
 * long opening a connection to it may take, how long Redis may leave a command unanswered (zero: no limit), the
 * cache to invalidate, and the bound on dedicated connections shared by every client.
 */
public record Forwarding(
    CommandTable table, BackendLocator backend, Duration connectTimeout, Duration forwardTimeout, Invalidator cache,
    int maxPinned, AtomicInteger pinned) {

  /** Takes one of the dedicated connections; false when all are in use. */
  public boolean takePinned() {
    if (pinned.incrementAndGet() <= maxPinned) return true;
    pinned.decrementAndGet();
    return false;
  }

  public void releasePinned() {
    pinned.decrementAndGet();
  }
}
