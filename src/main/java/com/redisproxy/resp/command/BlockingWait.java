package com.redisproxy.resp.command;

import com.redisproxy.resp.codec.RespRequest;
import java.util.Locale;

/**
 * How long Redis may hold back a command's reply by design: a blocking command's own timeout, read
 * from its arguments as Redis reads them (seconds for BLPOP and its kin, milliseconds for WAIT and
 * XREAD's BLOCK); 0 there waits with no end. A timeout Redis would refuse (negative, not a number)
 * is answered at once, so it holds nothing back.
 *
 * @param nanos 0 for a command answered as soon as it runs; {@link Long#MAX_VALUE} for no end
 */
public record BlockingWait(long nanos) {
  public static final BlockingWait NONE = new BlockingWait(0);
  public static final BlockingWait ENDLESS = new BlockingWait(Long.MAX_VALUE);

  private static final long NANOS_PER_MILLI = 1_000_000;

  public boolean endless() {
    return nanos == Long.MAX_VALUE;
  }

  /** {@code request}'s wait outside a transaction (inside MULTI, Redis never blocks). */
  public static BlockingWait of(RespRequest request) {
    int last = request.size() - 1;
    return switch (request.name()) {
      case "blpop", "brpop", "bzpopmin", "bzpopmax", "brpoplpush", "blmove" -> last >= 2 ? seconds(request, last) : NONE;
      case "blmpop", "bzmpop" -> last >= 1 ? seconds(request, 1) : NONE;
      case "wait" -> last >= 2 ? millis(request, 2) : NONE;
      case "waitaof" -> last >= 3 ? millis(request, 3) : NONE;
      case "xread", "xreadgroup" -> streamBlock(request);
      default -> NONE;
    };
  }

  // BLOCK ms among the options, before STREAMS (after it come keys and IDs, which may be named "block").
  private static BlockingWait streamBlock(RespRequest request) {
    for (int i = 1; i < request.size() - 1; i++) {
      String option = request.arg(i).utf8String().toLowerCase(Locale.ROOT);
      if (option.equals("streams")) return NONE;
      if (option.equals("block")) return millis(request, i + 1);
    }
    return NONE;
  }

  private static BlockingWait seconds(RespRequest request, int index) {
    double seconds;
    try {
      seconds = Double.parseDouble(request.arg(index).utf8String());
    } catch (NumberFormatException notANumber) {
      return NONE;
    }
    if (Double.isNaN(seconds) || seconds < 0) return NONE;
    if (seconds == 0) return ENDLESS;
    double nanos = seconds * 1e9;
    return nanos >= Long.MAX_VALUE ? ENDLESS : new BlockingWait(Math.max(1, (long) nanos));
  }

  private static BlockingWait millis(RespRequest request, int index) {
    long millis;
    try {
      millis = Long.parseLong(request.arg(index).utf8String());
    } catch (NumberFormatException notANumber) {
      return NONE;
    }
    if (millis < 0) return NONE;
    if (millis == 0) return ENDLESS;
    return millis >= Long.MAX_VALUE / NANOS_PER_MILLI ? ENDLESS : new BlockingWait(millis * NANOS_PER_MILLI);
  }
}
