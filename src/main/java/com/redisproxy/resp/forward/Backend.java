package com.redisproxy.resp.forward;

import com.redisproxy.resp.codec.RespRequest;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.util.ByteString;

/**
 * Where a connection's forwarded commands go: one Redis on the loop's shared link, or a Redis
 * Cluster. The reply is Redis's (or the proxy's error) as RESP bytes; the future completes on the
 * connection's event loop.
 */
public interface Backend {
  CompletableFuture<ByteString> forward(RespRequest request);
}
