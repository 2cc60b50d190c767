package com.redisproxy.system.support;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition by polling it until a deadline: the system tests' only way to wait. */
public final class Eventually {
  private static final long POLL_MILLIS = 25;

  private Eventually() {}

  /** Polls {@code condition} until it is true, or fails with {@code what} after {@code deadline}. */
  public static void await(Duration deadline, String what, Supplier<Boolean> condition) {
    long end = System.nanoTime() + deadline.toNanos();
    Throwable last = null;
    while (System.nanoTime() - end < 0) {
      try {
        if (condition.get()) return;
      } catch (RuntimeException e) {
        last = e;
      }
      pause();
    }
    throw new AssertionError("Not true within " + deadline.toMillis() + "ms: " + what, last);
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MILLIS); // a polling interval, not a synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
