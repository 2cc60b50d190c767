package com.redisproxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.util.ByteString;

/**
 * One event loop's shared, pipelined connection to Redis for stateless commands: every
 * connection of the loop forwards on it, and the replies come back in the order sent. A lost
 * connection answers everything outstanding with an error and is opened again on the next use.
 * Used by its loop's thread only; the futures complete on it.
 */
final class SharedBackend implements BackendLink.Replies {
  private final EventLoop loop;
  private final BackendAddress address;
  private final ArrayDeque<CompletableFuture<ByteString>> waiting = new ArrayDeque<>();
  private BackendLink link;
  private boolean flushScheduled;

  SharedBackend(EventLoop loop, BackendAddress address) {
    this.loop = loop;
    this.address = address;
  }

  /** Redis's reply to {@code args}, byte for byte; errors are replies too. */
  CompletableFuture<ByteString> forward(List<ByteString> args) {
    if (link == null || link.isClosed()) link = BackendLink.open(loop, address, this);
    CompletableFuture<ByteString> reply = new CompletableFuture<>();
    waiting.add(reply);
    link.sendWithoutFlush(args);
    // One flush for everything the loop forwards in this cycle, as for the cache reads.
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(this::flush);
    }
    return reply;
  }

  private void flush() {
    flushScheduled = false;
    if (link != null) link.flush();
  }

  @Override
  public void reply(ByteBuf frame, boolean push) {
    if (push) return; // this connection subscribes to nothing and tracks nothing
    CompletableFuture<ByteString> next = waiting.poll();
    if (next == null) return;
    byte[] bytes = new byte[frame.readableBytes()];
    frame.readBytes(bytes);
    next.complete(ByteString.fromArrayUnsafe(bytes));
  }

  @Override
  public void closed(ByteString error) {
    link = null;
    CompletableFuture<ByteString> next;
    while ((next = waiting.poll()) != null) next.complete(error);
  }
}
