package com.redisproxy.resp;

import org.apache.pekko.util.ByteString;

/** What Redis remembers about one client connection. Used by one stream stage at a time. */
final class RespSession {
  final long id;
  ByteString name;
  /** Changed only by AUTH and HELLO, in request order, so a pipeline's later commands see it. */
  boolean authenticated;

  RespSession(long id, boolean authenticated) {
    this.id = id;
    this.authenticated = authenticated;
  }
}
