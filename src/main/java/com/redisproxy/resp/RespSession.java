package com.redisproxy.resp;

import org.apache.pekko.util.ByteString;

/** What Redis remembers about one client connection. Used by one stream stage at a time. */
final class RespSession {
  final long id;
  ByteString name;
  /** Changed only by AUTH and HELLO, in request order, so a pipeline's later commands see it. */
  boolean authenticated;
  /** Set once Redis has accepted HELLO 3 on the session's pinned connection; the cache's replies follow it. */
  boolean resp3;

  RespSession(long id, boolean authenticated) {
    this.id = id;
    this.authenticated = authenticated;
  }
}
