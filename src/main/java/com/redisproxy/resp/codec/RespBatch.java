package com.redisproxy.resp.codec;

import java.util.List;

/**
 * The complete requests found in one read from a client, in order; {@code protocolError} is set
 * when the bytes after them broke the protocol, and the connection must be closed after replying.
 */
public record RespBatch(List<RespRequest> requests, String protocolError) {
  static final RespBatch EMPTY = new RespBatch(List.of(), null);

  public boolean isEmpty() {
    return requests.isEmpty() && protocolError == null;
  }
}
