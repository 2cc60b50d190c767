package com.redisproxy.fetch;

import java.util.List;
import org.apache.pekko.util.ByteString;

/** Where the backing Redis's invalidation messages go (client tracking). Called on Lettuce's threads. */
public interface InvalidationListener {

  /** These keys changed in Redis (written, deleted, expired or evicted there). */
  void invalidated(List<ByteString> keys);

  /** Anything may have changed: a FLUSHALL, or invalidations lost with a tracking connection. */
  void everythingInvalidated(String reason);
}
