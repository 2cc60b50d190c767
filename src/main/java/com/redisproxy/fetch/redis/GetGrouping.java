package com.redisproxy.fetch.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a backing Redis's batches of misses send their GETs as one MGET ({@link MissBatch}):
 * on until Redis refuses an MGET for a reason that will not pass (the proxy's user may not run
 * it, or not on every key; the command renamed away; slots enforced), then off for good, said
 * once in the log. Refused, a batch reads its keys again one GET each, which would cost every
 * batch a round trip more than never grouping them.
 */
public final class GetGrouping {
  private static final Logger log = LoggerFactory.getLogger(GetGrouping.class);

  /** Never grouped: in front of a Cluster, where an MGET's keys must share a slot. */
  public static final GetGrouping OFF = new GetGrouping(false);

  private volatile boolean on;

  private GetGrouping(boolean on) {
    this.on = on;
  }

  /** Grouped until Redis refuses it for good. */
  public static GetGrouping untilRefused() {
    return new GetGrouping(true);
  }

  boolean on() {
    return on;
  }

  /** Redis answered an MGET with {@code error} (without its '-'). */
  void refused(String error) {
    if (!on || !lasting(error)) return;
    on = false;
    log.warn("Backing Redis refused MGET ({}): misses are read one GET a key from now on. "
        + "Give the proxy's Redis user +mget on every key it reads to read them together.", error);
  }

  // LOADING, BUSY and the like pass, and a GET would have been refused as well.
  private static boolean lasting(String error) {
    return error.startsWith("NOPERM") || error.startsWith("CROSSSLOT") || error.startsWith("ERR unknown command");
  }
}
