package com.redisproxy.resp.forward;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.util.ByteString;

/**
 * The replies one forward waits for on a shared link: one request's, or a run's, gathered into
 * one array as they come, so that a run of pipelined requests costs one future and one copy of
 * each reply, not a future, an array and a ByteString each. Used by the link's loop only.
 */
final class AwaitedReplies {
  private final CompletableFuture<ByteString> all = new CompletableFuture<>();
  private final long sentAt;
  private int left;
  private byte[] bytes;
  private int length;

  AwaitedReplies(int requests, long sentAt) {
    this.left = requests;
    this.sentAt = sentAt;
  }

  CompletableFuture<ByteString> future() {
    return all;
  }

  /** When it was sent, on {@link System#nanoTime}'s clock. */
  long sentAt() {
    return sentAt;
  }

  /** The next reply, read out of {@code frame}; true once every reply has come (the future is then complete). */
  boolean add(ByteBuf frame) {
    int size = frame.readableBytes();
    ensure(size);
    frame.readBytes(bytes, length, size);
    length += size;
    return countDown();
  }

  /** Every reply not yet come is {@code error}; completes the future. */
  void failRest(ByteString error) {
    while (left > 0) {
      ensure(error.size());
      error.copyToArray(bytes, length, error.size());
      length += error.size();
      countDown();
    }
  }

  private boolean countDown() {
    if (--left > 0) return false;
    all.complete(ByteString.fromArrayUnsafe(bytes, 0, length));
    return true;
  }

  private void ensure(int more) {
    if (bytes == null) bytes = new byte[Math.max(more, 64)];
    else if (bytes.length - length < more) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
  }
}
