package com.redisproxy.fetch;

import java.util.List;
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
}
