package com.redisproxy.resp.cluster;

import java.util.Optional;

/**
 * A SCAN cursor across a Redis Cluster's masters: the master's own cursor, shifted, and which
 * master (in the order of the lowest slot each serves) in the low bits. Cursor 0 starts at the
 * first master and is answered again only after the last master's scan ends, so a client's
 * ordinary loop ("until the cursor is 0 again") visits every master. Redis's cursors are the
 * reversed bits of a hash table index, far below the 2^54 that leaves room for the master.
 */
record ScanCursor(long masterCursor, int master) {
  static final int MASTER_BITS = 10;
  static final int MAX_MASTERS = 1 << MASTER_BITS;
  static final ScanCursor START = new ScanCursor(0, 0);

  /** The cursor a client sent; empty when it is not one (Redis answers "invalid cursor" then). */
  static Optional<ScanCursor> parse(String text) {
    long value;
    try {
      value = Long.parseUnsignedLong(text);
    } catch (NumberFormatException notANumber) {
      return Optional.empty();
    }
    return Optional.of(new ScanCursor(value >>> MASTER_BITS, (int) (value & (MAX_MASTERS - 1))));
  }

  /**
   * The cursor to hand the client after {@code master} answered {@code nextMasterCursor}; empty
   * when that cursor is too large to share its bits with the master's number.
   */
  static Optional<String> next(String nextMasterCursor, int master, int masters) {
    long next = Long.parseUnsignedLong(nextMasterCursor);
    if (next == 0) return Optional.of(master + 1 >= masters ? "0" : Long.toUnsignedString(master + 1));
    if (next >>> (Long.SIZE - MASTER_BITS) != 0) return Optional.empty();
    return Optional.of(Long.toUnsignedString(next << MASTER_BITS | master));
  }
}
