package com.redisproxy.resp;

import org.apache.pekko.util.ByteString;

/** What Redis remembers about one client connection. Used by one stream stage at a time. */
final class RespSession {
  final long id;
  ByteString name;

  RespSession(long id) {
    this.id = id;
  }
}
