package com.redisproxy.resp.forward.pinned;

import com.redisproxy.resp.codec.RespRequest;

/**
 * A client's session while it is pinned (see {@link PinnedSession}): what the client's connection
 * hands it and asks of it. Used by the connection's loop only.
 */
public interface Pinned {
  void handle(RespRequest request);

  /**
   * False when the next request, and what follows it, must wait: the session ends first (a cluster
   * session that holds no state) or it is choosing its node. It says when it takes more again
   * ({@link PinnedSession.Client#takesMore()}) or ends ({@link PinnedSession.Client#unpinned()}).
   */
  default boolean takesRequests() {
    return true;
  }

  void protocolError(String message);

  void setReading(boolean reading);

  /** True while a reply is owed or it is subscribed: such a client is never idle. */
  boolean waitsOnRedis();

  /** The client subscribed on it (Redis's pub/sub mode): a RESP2 redirect target of client tracking. */
  default boolean subscribed() {
    return false;
  }

  /** The client's connection closed. */
  void end();
}
