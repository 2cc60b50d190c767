package com.redisproxy.resp.forward;

import com.redisproxy.resp.codec.RespWriter;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * Where the proxy's own connections to Redis go, asked each time one is used: a master that
 * Sentinel watches can move, and the connections follow it.
 */
public interface BackendLocator {

  /** Where Redis is now; empty while that is not known. */
  Optional<BackendAddress> current();

  /** Why {@link #current()} is empty, for the client's error. */
  String unknownReason();

  /** The error a command gets while Redis's address is not known. */
  static ByteString unavailable(BackendLocator locator) {
    return new RespWriter().error("ERR the backing Redis is unavailable: " + locator.unknownReason()).result();
  }
}
