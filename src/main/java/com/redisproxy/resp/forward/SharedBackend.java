package com.redisproxy.resp.forward;

import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import com.redisproxy.resp.command.RedisLogin;
import org.apache.pekko.util.ByteString;

/**
 * One event loop's shared, pipelined connection to Redis for stateless commands, in one protocol:
 * every connection of the loop that speaks it forwards on it, and the replies come back in the
 * order sent, in that protocol (a loop has one for RESP2 clients and one for RESP3 clients). A lost
 * connection answers everything outstanding with an error and is opened again on the next use;
 * so does one on which Redis has left a command unanswered for the forward timeout (replies come
 * in order, so one late reply holds up all after it). When Redis moves (Sentinel names a new
 * master), the connection to the old address is given up the same way, at the next use. Used by
 * its loop's thread only; the futures complete on it.
 */
public final class SharedBackend implements Backend {
  private static final ByteString MOVED = new RespWriter()
      .error("ERR the backing Redis's master moved; the command may or may not have run").result();

  private static final ByteString CLOSED = new RespWriter()
      .error("ERR the proxy closed this connection to Redis: no client uses it any more").result();

  private final Optional<RedisLogin> login;
  private final EventLoop loop;
  private final BackendLocator locator;
  private final boolean resp3;
  private final long timeoutNanos;
  private final Duration connectTimeout;
  private final ByteString timedOut;
  private final ArrayDeque<AwaitedReplies> waiting = new ArrayDeque<>();
  private BackendLink link;
  private BackendAddress linkedTo;
  private int generation;
  private boolean flushScheduled;
  private boolean checkScheduled;

  /**
   * @param timeout zero for none
   * @param connectTimeout redis.connect-timeout
   * @param resp3 the link says HELLO 3 first: its replies are relayed to RESP3 clients as they are
   */
  public SharedBackend(EventLoop loop, BackendLocator locator, Duration timeout, Duration connectTimeout, boolean resp3) {
    this(loop, locator, timeout, connectTimeout, resp3, Optional.empty());
  }

  /** @param login the Redis user it logs in as; empty: the proxy's own credentials */
  public SharedBackend(EventLoop loop, BackendLocator locator, Duration timeout, Duration connectTimeout, boolean resp3,
      Optional<RedisLogin> login) {
    this.login = login;
    this.loop = loop;
    this.locator = locator;
    this.resp3 = resp3;
    this.timeoutNanos = timeout.toNanos();
    this.connectTimeout = connectTimeout;
    this.timedOut = new RespWriter().error("ERR the backing Redis did not answer within " + timeout.toMillis()
        + "ms; the command may or may not have run").result();
  }

  @Override
  public CompletableFuture<ByteString> forward(RespRequest request) {
    return forwardAll(List.of(request));
  }

  /** Redis's replies to {@code requests}, byte for byte, one after the other; errors are replies too. */
  @Override
  public CompletableFuture<ByteString> forwardAll(List<RespRequest> requests) {
    Optional<BackendAddress> address = locator.current();
    if (address.isEmpty()) return CompletableFuture.completedFuture(unavailable(requests.size()));
    if (link != null && !address.get().equals(linkedTo)) giveUp(MOVED);
    if (link == null || link.isClosed()) {
      link = BackendLink.open(loop, address.get(), connectTimeout, resp3, login, new Replies(++generation));
      linkedTo = address.get();
    }
    AwaitedReplies replies = new AwaitedReplies(requests.size(), System.nanoTime());
    waiting.add(replies);
    for (RespRequest request : requests) link.sendWithoutFlush(request);
    // One flush for everything the loop forwards in this cycle, as for the cache reads.
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(this::flush);
    }
    if (timeoutNanos > 0 && !checkScheduled) scheduleCheck(timeoutNanos);
    return replies.future();
  }

  private ByteString unavailable(int requests) {
    ByteString error = BackendLocator.unavailable(locator);
    ByteString all = error;
    for (int i = 1; i < requests; i++) all = all.concat(error);
    return all;
  }

  /** No client uses it any more: what is outstanding is answered with an error, and the link closes. */
  public void close() {
    if (link != null) giveUp(CLOSED);
  }

  private void flush() {
    flushScheduled = false;
    if (link != null) link.flush();
  }

  private void scheduleCheck(long delayNanos) {
    checkScheduled = true;
    loop.schedule(this::checkDeadline, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void checkDeadline() {
    checkScheduled = false;
    if (waiting.isEmpty()) return;
    long waited = System.nanoTime() - waiting.peek().sentAt();
    if (waited < timeoutNanos) {
      scheduleCheck(timeoutNanos - waited);
      return;
    }
    giveUp(timedOut);
  }

  private void giveUp(ByteString error) {
    BackendLink abandoned = link;
    link = null;
    generation++; // what the abandoned connection still sends or says is ignored
    failAll(error);
    if (abandoned != null) abandoned.close();
  }

  private void failAll(ByteString error) {
    AwaitedReplies next;
    while ((next = waiting.poll()) != null) next.failRest(error);
  }

  /** One connection's replies; those of a connection given up on are dropped. */
  private final class Replies implements BackendLink.Replies {
    private final int of;

    Replies(int generation) {
      this.of = generation;
    }

    @Override
    public void reply(ByteBuf frame, boolean push) {
      if (of != generation || push) return; // the shared connection subscribes to nothing
      AwaitedReplies next = waiting.peek();
      if (next != null && next.add(frame)) waiting.poll();
    }

    @Override
    public void closed(ByteString error) {
      if (of != generation) return;
      link = null;
      failAll(error);
    }
  }
}
