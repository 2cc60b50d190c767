package com.redisproxy.resp.tracking;

import org.apache.pekko.util.ByteString;

/** What tracking needs of a client connection. Called on the connection's event loop only. */
public interface TrackingClient {
  long id();

  /** RESP3: invalidations are pushes on the client's own connection (or its redirect target's). */
  boolean resp3();

  /** In pub/sub mode: a RESP2 redirect target gets invalidations as messages only then, as from Redis. */
  boolean subscribed();

  /**
   * Runs {@code action} once every reply owed to the client now is written, so that an
   * invalidation never overtakes the reply to a read sent before it; at once when none is owed.
   */
  void afterReplies(Runnable action);

  /** Writes {@code message} (an invalidation) as it is, at a reply boundary. */
  void write(ByteString message);
}
