package com.redisproxy.resp.codec;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of requests every client connection's parser holds while it reads them, together: a
 * request that would take the total over the budget is refused, so that clients sending large
 * requests at once cannot exhaust the heap, while one client alone may send what Redis accepts.
 * Shared by the event loops' threads.
 */
public final class ReadingBudget {
  private final long maxBytes;
  private final AtomicLong taken = new AtomicLong();

  public ReadingBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** A budget no request exceeds (tests of the parser alone). */
  public static ReadingBudget unbounded() {
    return new ReadingBudget(Long.MAX_VALUE);
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** Takes {@code bytes} if the budget has them; false, taking nothing, if not. */
  boolean take(long bytes) {
    long now = taken.addAndGet(bytes);
    if (now <= maxBytes) return true;
    taken.addAndGet(-bytes);
    return false;
  }

  void give(long bytes) {
    taken.addAndGet(-bytes);
  }

  /** Bytes held now by all the parsers. */
  public long taken() {
    return taken.get();
  }
}
