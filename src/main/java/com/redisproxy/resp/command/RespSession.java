package com.redisproxy.resp.command;

import org.apache.pekko.util.ByteString;

/** What Redis remembers about one client connection. Used only on that connection's event loop (see RespConnection). */
public final class RespSession {
  public final long id;
  ByteString name;
  /** Changed only by AUTH and HELLO, in request order, so a pipeline's later commands see it. */
  public boolean authenticated;
  /**
   * The protocol the client speaks: set by HELLO 3 (HELLO 2 and RESET unset it), in request order.
   * The cache's replies follow it, and forwarded commands go to a backing connection that speaks it.
   */
  public boolean resp3;

  RespSession(long id, boolean authenticated) {
    this.id = id;
    this.authenticated = authenticated;
  }
}
