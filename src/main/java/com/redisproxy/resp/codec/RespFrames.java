package com.redisproxy.resp.codec;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Where each complete reply from Redis ends, RESP2 or RESP3, without decoding it: the proxy relays
 * Redis's replies as they are and only needs to know where each one stops. One per connection:
 * a reply that arrives in many reads is scanned once, resuming where the last read stopped (a
 * rescan from its start at every read is quadratic in its size), and nesting is kept on a stack
 * of its own, not the thread's, so a reply nested as deep as a script can make it is relayed too.
 */
public final class RespFrames {
  public static final int INCOMPLETE = -1;

  // Elements still to come in each open aggregate, the innermost last.
  private long[] remaining = new long[8];
  private int depth;
  // How far into the reply at the reader index the elements complete so far reach.
  private int scanned;

  /**
   * The length of the complete reply at {@code in}'s reader index, or {@link #INCOMPLETE}; the
   * next call goes on from there, with the same bytes at the reader index and more after them.
   * Once a length is returned, the next call reads a new reply.
   */
  public int next(ByteBuf in) {
    int start = in.readerIndex();
    int limit = in.writerIndex();
    while (true) {
      int end = elementEnd(in, start + scanned, limit);
      if (end == INCOMPLETE) return INCOMPLETE;
      scanned = end - start;
      if (!closeCompletedAggregates()) continue;
      int length = scanned;
      scanned = 0;
      return length;
    }
  }

  /** True when the reply at {@code from} is a RESP3 push (pub/sub message, invalidation). */
  public static boolean isPush(ByteBuf in, int from) {
    return in.getByte(from) == '>';
  }

  // One element counts for every aggregate it completes; true when the whole reply is complete.
  private boolean closeCompletedAggregates() {
    while (depth > 0) {
      if (--remaining[depth - 1] > 0) return false;
      depth--;
    }
    return true;
  }

  // Where the element at {@code at} ends: a scalar whole, an aggregate's header only (its elements
  // are pushed to be read next; an empty or null one is complete at once).
  private int elementEnd(ByteBuf in, int at, int limit) {
    if (at >= limit) return INCOMPLETE;
    int lineEnd = in.indexOf(at, limit, (byte) '\n');
    if (lineEnd < 0) return INCOMPLETE;
    byte type = in.getByte(at);
    int next = lineEnd + 1;
    switch (type) {
      case '+', '-', ':', '_', ',', '#', '(' -> {
        return next;
      }
      case '$', '=', '!' -> {
        long size = number(in, at + 1, lineEnd - 1);
        if (size < 0) return next;
        long end = next + size + 2;
        return end > limit ? INCOMPLETE : (int) end;
      }
      case '*', '~', '>', '%', '|' -> {
        long count = number(in, at + 1, lineEnd - 1);
        if (type == '%' || type == '|') count *= 2;
        // An attribute comes before the reply it describes: both make one frame.
        if (type == '|') count += 1;
        if (count > 0) open(count + 1); // + 1: closeCompletedAggregates counts the header itself
        return next;
      }
      default -> throw new IllegalStateException("not a RESP reply: type byte " + type);
    }
  }

  private void open(long elements) {
    if (depth == remaining.length) remaining = Arrays.copyOf(remaining, depth * 2);
    remaining[depth++] = elements;
  }

  private static long number(ByteBuf in, int from, int to) {
    boolean negative = in.getByte(from) == '-';
    long value = 0;
    for (int i = negative ? from + 1 : from; i < to; i++) value = value * 10 + (in.getByte(i) - '0');
    return negative ? -value : value;
  }
}
