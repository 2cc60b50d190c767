package com.redisproxy.cache;

import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Told by the CacheActor, once it has applied them, of the changes it learns of: keys written
 * through the proxy or changed in Redis, and "everything" (a flush, invalidations lost with a
 * tracking connection, the invalidation lease lapsed). Client tracking follows it. Called on the
 * CacheActor's thread: it must not block.
 */
public interface KeysChanged {
  void changed(List<ByteString> keys);

  void everythingChanged();

  KeysChanged NONE = new KeysChanged() {
    @Override
    public void changed(List<ByteString> keys) {}

    @Override
    public void everythingChanged() {}
  };
}
