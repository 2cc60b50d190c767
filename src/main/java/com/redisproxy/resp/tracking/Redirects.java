package com.redisproxy.resp.tracking;

import java.util.List;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/** The proxy's clients by id, on any event loop: where CLIENT TRACKING ... REDIRECT sends invalidations. Any thread. */
public interface Redirects {
  boolean exists(long id);

  /**
   * Hands client {@code id} these changed keys (empty: everything changed), to be written on its
   * own loop as its protocol and mode want them; false when no such client is connected.
   * {@code trackerResp3}: the protocol of the client that tracked them.
   */
  boolean deliver(long id, Optional<List<ByteString>> keys, boolean trackerResp3);

  Redirects NONE = new Redirects() {
    @Override
    public boolean exists(long id) {
      return false;
    }

    @Override
    public boolean deliver(long id, Optional<List<ByteString>> keys, boolean trackerResp3) {
      return false;
    }
  };
}
