package com.redisproxy.resp.forward;

import com.redisproxy.resp.codec.RespRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Where a connection's forwarded commands go: one Redis on the loop's shared link, or a Redis
 * Cluster. The reply is Redis's (or the proxy's error) as RESP bytes; the future completes on the
 * connection's event loop.
 */
public interface Backend {
  CompletableFuture<ByteString> forward(RespRequest request);

  /** The replies to {@code requests}, in order, one after the other. */
  default CompletableFuture<ByteString> forwardAll(List<RespRequest> requests) {
    if (requests.size() == 1) return forward(requests.get(0));
    List<CompletableFuture<ByteString>> replies = new ArrayList<>(requests.size());
    for (RespRequest request : requests) replies.add(forward(request));
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(all -> {
      ByteStringBuilder out = new ByteStringBuilder();
      for (CompletableFuture<ByteString> reply : replies) out.append(reply.join());
      return out.result();
    });
  }
}
