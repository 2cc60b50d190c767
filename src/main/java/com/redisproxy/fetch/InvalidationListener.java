package com.redisproxy.fetch;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.pekko.util.ByteString;

/** Where the backing Redis's invalidation messages go (client tracking). Called on Lettuce's threads. */
public interface InvalidationListener {

  /** These keys changed in Redis (written, deleted, expired or evicted there). */
  void invalidated(List<ByteString> keys);

  /**
   * Every key that {@code keyMatches} (given the key's bytes, which it must not change) may have
   * changed: e.g. the keys of a cluster node's slots, when that node's invalidations were lost.
   */
  void invalidatedWhere(Predicate<byte[]> keyMatches, String reason);

  /** Anything may have changed: a FLUSHALL, or invalidations lost with a tracking connection. */
  void everythingInvalidated(String reason);

  /**
   * The tracking connection {@code channel} proved alive: every invalidation Redis sent on it
   * before it received a PING sent at {@code pingSentAt} ({@link System#nanoTime}) has been passed
   * on already. The first call, when tracking goes on, makes the connection a channel.
   */
  void leaseRenewed(Object channel, long pingSentAt);

  /**
   * {@code channel}'s invalidations may have been lost (it went silent or was closed): the keys it
   * tracked, those {@code tracked} matches or, when empty, every key, are no longer to be served,
   * and the channel no longer counts.
   */
  void leaseLost(Object channel, Optional<Predicate<byte[]>> tracked, String reason);
}
