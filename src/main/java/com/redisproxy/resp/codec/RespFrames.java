package com.redisproxy.resp.codec;

import io.netty.buffer.ByteBuf;

/**
 * Where one complete reply from Redis ends, RESP2 or RESP3, without decoding it: the proxy relays
 * Redis's replies as they are and only needs to know where each one stops.
 */
public final class RespFrames {
  public static final int INCOMPLETE = -1;

  private RespFrames() {}

  /** The length of the complete reply at {@code from}, or {@link #INCOMPLETE}. */
  public static int length(ByteBuf in, int from) {
    int end = frameEnd(in, from, in.writerIndex());
    return end == INCOMPLETE ? INCOMPLETE : end - from;
  }

  /** True when the reply at {@code from} is a RESP3 push (pub/sub message, invalidation). */
  public static boolean isPush(ByteBuf in, int from) {
    return in.getByte(from) == '>';
  }

  private static int frameEnd(ByteBuf in, int at, int limit) {
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
        for (long i = 0; i < count; i++) {
          next = frameEnd(in, next, limit);
          if (next == INCOMPLETE) return INCOMPLETE;
        }
        // An attribute comes before the reply it describes: both make one frame.
        return type == '|' ? frameEnd(in, next, limit) : next;
      }
      default -> throw new IllegalStateException("not a RESP reply: type byte " + type);
    }
  }

  private static long number(ByteBuf in, int from, int to) {
    boolean negative = in.getByte(from) == '-';
    long value = 0;
    for (int i = negative ? from + 1 : from; i < to; i++) value = value * 10 + (in.getByte(i) - '0');
    return negative ? -value : value;
  }
}
