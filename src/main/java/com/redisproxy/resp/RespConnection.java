package com.redisproxy.resp;

import com.redisproxy.cache.client.CacheReads;
import com.redisproxy.resp.codec.RespBatch;
import com.redisproxy.resp.codec.RespEncoding;
import com.redisproxy.resp.codec.RespParser;
import com.redisproxy.resp.codec.RespReply;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.command.CommandTable;
import com.redisproxy.resp.command.RespAuth;
import com.redisproxy.resp.command.RespCommands;
import com.redisproxy.resp.command.RedisLogin;
import com.redisproxy.resp.command.RespSession;
import com.redisproxy.resp.forward.Backends;
import com.redisproxy.resp.forward.Forwarder;
import com.redisproxy.resp.forward.Forwarding;
import com.redisproxy.resp.forward.pinned.Pinned;
import com.redisproxy.resp.forward.pinned.PinnedSession;
import com.redisproxy.resp.forward.pinned.Pinning;
import com.redisproxy.resp.tracking.InvalidationMessages;
import com.redisproxy.resp.tracking.LoopTracking;
import com.redisproxy.resp.tracking.Tracker;
import com.redisproxy.resp.tracking.TrackingClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. What it reads is cut into segments of one kind each: requests the proxy
 * answers from the cache or itself, requests forwarded to Redis on the loop's shared connection,
 * and a request that needs a connection of its own, after which the session is pinned (see
 * {@link PinnedSession}). Segments of one kind run side by side; a segment of another kind starts
 * once the one before it is answered, so a read after a write sees the write, and replies go out
 * in request order. Closes after QUIT or a protocol error, once the reply is written. Everything
 * here runs on the connection's event loop. Backpressure: with {@link #MAX_SEGMENTS_IN_FLIGHT}
 * segments unanswered, or replies the client is not reading, the connection stops reading.
 *
 * <p>A GET's way down: {@link CommandTable#route} makes it part of a local segment;
 * {@link RespCommands} runs the handler the table names ({@code LocalCommands.get}), which asks
 * for the key through its {@code LocalCall}; the batch's keys go to the loop's
 * {@code cache/client/ReadBatcher}, which asks the CacheActor once per loop cycle.
 */
public final class RespConnection extends ChannelInboundHandlerAdapter implements PinnedSession.Client, TrackingClient {
  private static final Logger log = LoggerFactory.getLogger(RespConnection.class);
  private static final int MAX_SEGMENTS_IN_FLIGHT = 8;
  private static final RespRequest PING = new RespRequest(List.of(ByteString.fromString("PING")));
  private static final CompletableFuture<Object> DONE = CompletableFuture.completedFuture(null);

  // LOGIN: AUTH for Redis; like PINNED, what follows it is cut into segments once it is answered.
  private enum Kind { LOCAL, FORWARDED, PINNED, LOGIN }

  private final RespParser parser;
  private final RespSession session;
  private final RespCommands commands;
  private final CacheReads cache;
  private final RespAuth auth;
  private final Forwarding forwarding;
  private final Forwarder forwarder;
  private final Backends backends;
  private final Pinning pinning;
  // The user this connection counts as in its loop's backends, so that a user's connection closes with its last client.
  private RedisLogin joined;
  private final ArrayDeque<CompletableFuture<RespReply>> unanswered = new ArrayDeque<>();
  // Client tracking: invalidations owed once the replies queued before them are written.
  private record AfterReplies(long queued, Runnable action) {}
  private final ArrayDeque<AfterReplies> afterReplies = new ArrayDeque<>();
  private long repliesQueued;
  private long repliesWritten;
  private final Tracker tracker;
  private Kind lastKind;
  private CompletableFuture<?> lastStarted = DONE;
  private CompletableFuture<?> lastDone = DONE;
  // Requests read while a request waits for a connection of its own, or while the pinned session
  // takes nothing more (see Pinned#takesRequests): they follow it there, or come after it.
  private List<RespRequest> held;
  private String heldProtocolError;
  private Pinned pinned;
  private ChannelHandlerContext context;
  private boolean quitRead;
  private boolean closing;
  private boolean closeWhenAnswered;

  /** @param tracking its loop's client tracking, where the proxy does it; empty where Redis does */
  RespConnection(RespParser parser, RespSession session, RespCommands commands, CacheReads cache, RespAuth auth,
      Forwarding forwarding, Backends backends, Pinning pinning, Optional<LoopTracking> tracking) {
    this.tracker = tracking.map(loop -> loop.trackerFor(this)).orElseGet(Tracker::disabled);
    this.parser = parser;
    this.session = session;
    this.commands = commands;
    this.cache = cache;
    this.auth = auth;
    this.forwarding = forwarding;
    this.backends = backends;
    this.pinning = pinning;
    // context is set (handlerAdded) before anything is read, so before the forwarder runs anything on the loop.
    this.forwarder = new Forwarder(session, auth, forwarding, backends, cache, commands,
        task -> context.channel().eventLoop().execute(task), tracker);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.context = context;
    joined = auth.login(session);
    backends.join(joined);
  }

  RespSession session() {
    return session;
  }

  /** Redis deleted the user this client logged in as: as Redis does with its own clients, the connection ends. */
  void closeIfLoggedInAsNoneOf(Set<String> users) {
    if (session.login().isPresent() && !users.contains(session.login().get().userName())) {
      log.debug("closing RESP connection {}: Redis no longer has its user", session.id());
      closing = true;
      context.close();
    }
  }

  // After an AUTH Redis accepted, or a pinned session's end: the user's shared connection is counted in.
  private void syncLogin() {
    RedisLogin now = auth.login(session);
    if (now.equals(joined)) return;
    backends.join(now);
    backends.leave(joined);
    joined = now;
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object message) {
    ByteBuf buffer = (ByteBuf) message;
    byte[] bytes = new byte[buffer.readableBytes()];
    buffer.readBytes(bytes);
    buffer.release();
    if (closing || quitRead) return;
    RespBatch batch = parser.feed(ByteString.fromArrayUnsafe(bytes));
    if (batch.isEmpty()) return;
    List<RespRequest> requests = batch.requests();
    if (!requests.isEmpty()) session.active(requests.get(requests.size() - 1));
    if (held != null) {
      held.addAll(batch.requests());
      if (batch.protocolError() != null) heldProtocolError = batch.protocolError();
    } else if (pinned != null) {
      toPinned(batch.requests(), batch.protocolError());
    } else {
      dispatch(batch.requests(), batch.protocolError());
    }
    updateReading();
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    parser.release();
    tracker.closed();
    if (pinned != null) pinned.end();
    backends.leave(joined);
    context.fireChannelInactive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext context) {
    updateReading();
    context.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event instanceof IdleStateEvent) {
      // Not idle while it waits for answers (a blocked BLPOP, a subscription), or while we are
      // not reading it (it is not reading us). A pinned session idle in MULTI or SELECT n is idle:
      // closing it gives its dedicated connection back.
      boolean waiting = !unanswered.isEmpty() || held != null || (pinned != null && pinned.waitsOnRedis());
      if (waiting || !context.channel().config().isAutoRead()) return;
      log.debug("closing RESP connection {}: idle", session.id());
      closeAfterWrites();
    } else {
      context.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    // A client that resets, or speaks plain text to a TLS port, is the client's business.
    if (cause instanceof IOException || cause instanceof DecoderException) {
      log.debug("RESP connection {}: {}", session.id(), cause.toString());
    } else {
      log.warn("RESP connection {} failed", session.id(), cause);
    }
    context.close();
  }

  /** On shutdown: stop reading, write what is answered, then close. Runs on the loop. */
  void closeWhenAnswered() {
    closeWhenAnswered = true;
    context.channel().config().setAutoRead(false);
    if (unanswered.isEmpty()) closeAfterWrites();
  }

  // --- cutting what was read into segments

  private void dispatch(List<RespRequest> requests, String protocolError) {
    List<RespRequest> run = new ArrayList<>();
    Kind runKind = null;
    for (int i = 0; i < requests.size(); i++) {
      RespRequest request = requests.get(i);
      Kind kind = kindOf(request);
      if (kind == Kind.PINNED || kind == Kind.LOGIN) {
        startSegment(runKind, run, null);
        held = new ArrayList<>(requests.subList(i, requests.size()));
        heldProtocolError = protocolError;
        enqueue(kind, kind == Kind.PINNED ? this::pin : this::logIn);
        return;
      }
      if (runKind != null && kind != runKind) {
        startSegment(runKind, run, null);
        run = new ArrayList<>();
      }
      runKind = kind;
      run.add(request);
      if (CommandTable.closesConnection(request)) {
        quitRead = true; // nothing after QUIT runs
        startSegment(runKind, run, null);
        return;
      }
    }
    if (protocolError != null && runKind != Kind.LOCAL) {
      startSegment(runKind, run, null);
      run = new ArrayList<>();
      runKind = Kind.LOCAL;
    }
    startSegment(runKind, run, protocolError);
  }

  private Kind kindOf(RespRequest request) {
    if (auth.goesToRedis(session, request)) return Kind.LOGIN;
    return switch (forwarding.table().route(request)) {
      // Served from the cache only where Redis would let the session's user read it; else Redis answers.
      case CACHED -> !auth.allows(session, request) || auth.mayServeCached(session, request) ? Kind.LOCAL : Kind.FORWARDED;
      case LOCAL -> forwarding.monitored() && CommandTable.forwardedWhileMonitored(request) && !forwarder.inRefusedTransaction()
          ? Kind.FORWARDED : Kind.LOCAL;
      case INFO, FORWARDED, REFUSED, NOT_IN_CLUSTER -> Kind.FORWARDED;
      case PINNED -> forwarder.inRefusedTransaction() ? Kind.FORWARDED : Kind.PINNED;
    };
  }

  private void startSegment(Kind kind, List<RespRequest> run, String protocolError) {
    if (kind == null) {
      if (protocolError != null) startSegment(Kind.LOCAL, run, protocolError);
      return;
    }
    if (run.isEmpty() && protocolError == null) return;
    if (kind == Kind.LOCAL) {
      RespBatch batch = new RespBatch(run, protocolError);
      enqueue(kind, () -> commands.execute(session, batch, cache, tracker).thenApply(commands::render).toCompletableFuture());
    } else {
      enqueue(kind, () -> forwarder.forwardAll(run));
    }
  }

  /** Segments of one kind start together; a segment of another kind waits for the one before. */
  private void enqueue(Kind kind, Supplier<CompletableFuture<RespReply>> segment) {
    CompletableFuture<?> after = kind == lastKind && kind != Kind.PINNED && kind != Kind.LOGIN ? lastStarted : lastDone;
    CompletableFuture<Object> started = new CompletableFuture<>();
    CompletableFuture<RespReply> reply = new CompletableFuture<>();
    // Recorded before the segment starts: starting it may cut more segments (after a pinning ends).
    lastKind = kind;
    lastStarted = started;
    lastDone = reply;
    unanswered.add(reply);
    repliesQueued++;
    Runnable start = () -> {
      try {
        segment.get().whenComplete((answer, failure) -> reply.complete(failure == null ? answer : failed(failure)));
      } catch (RuntimeException e) {
        reply.complete(failed(e));
      } finally {
        // Only now: completing it starts the next segment of this kind, whose requests must follow ours.
        started.complete(null);
      }
    };
    if (after.isDone()) start.run();
    else after.whenComplete((ignored, failure) -> start.run()); // completes on this loop
    reply.whenComplete((done, failure) -> writeAnswered());
  }

  private RespReply failed(Throwable failure) {
    log.warn("RESP connection {}: a request failed inside the proxy", session.id(), failure);
    return new RespReply(new RespWriter().error("ERR internal proxy error: " + failure).result(), false);
  }

  // --- logging in as a Redis user

  private CompletableFuture<RespReply> logIn() {
    return forwarder.logIn(held.get(0)).thenCompose(reply -> {
      syncLogin();
      return notPinned(reply);
    });
  }

  // --- pinning

  private CompletableFuture<RespReply> pin() {
    RespRequest first = held.get(0);
    if (!auth.allows(session, first)) return notPinned(RespAuth.NOAUTH);
    Pinning.Result opened = pinning.open(first, new PinnedSession.Connection(context.channel().eventLoop(), session, auth, this));
    if (opened instanceof Pinning.Refused refused) {
      // What it queues must not run outside a transaction.
      if (CommandTable.effect(first) == CommandTable.Effect.BEGINS_TRANSACTION) forwarder.refuseTransaction();
      return notPinned(refused.reply());
    }
    pinned = ((Pinning.Opened) opened).session();
    List<RespRequest> requests = held;
    String protocolError = heldProtocolError;
    held = null;
    toPinned(requests, protocolError);
    return CompletableFuture.completedFuture(new RespReply(ByteString.emptyByteString(), false));
  }

  // Should the session end on the way (its state over), the rest is served as usual; should it
  // take nothing more for now, the rest waits until it does, or ends.
  private void toPinned(List<RespRequest> requests, String protocolError) {
    for (int i = 0; i < requests.size(); i++) {
      if (pinned == null) {
        dispatch(requests.subList(i, requests.size()), protocolError);
        return;
      }
      if (!pinned.takesRequests()) {
        held = new ArrayList<>(requests.subList(i, requests.size()));
        heldProtocolError = protocolError;
        return;
      }
      pinned.handle(requests.get(i));
    }
    if (protocolError == null) return;
    if (pinned == null) {
      dispatch(List.of(), protocolError);
    } else if (!pinned.takesRequests()) {
      held = new ArrayList<>();
      heldProtocolError = protocolError;
    } else {
      pinned.protocolError(protocolError);
    }
  }

  // The request is answered here; what came after it is cut into segments again, after this one.
  private CompletableFuture<RespReply> notPinned(ByteString answer) {
    held.remove(0);
    context.channel().eventLoop().execute(() -> {
      List<RespRequest> rest = held;
      String protocolError = heldProtocolError;
      held = null;
      if (!closing) dispatch(rest, protocolError);
      updateReading();
    });
    return CompletableFuture.completedFuture(new RespReply(answer, false));
  }

  @Override
  public void relay(ByteBuf frame) {
    writeAnswered();
    if (!closing) context.writeAndFlush(frame.retainedSlice());
    updateReading();
  }

  @Override
  public void answer(ByteString reply, boolean close) {
    writeAnswered();
    if (closing) return;
    if (close) {
      closing = true;
      context.writeAndFlush(wrapped(reply)).addListener(ChannelFutureListener.CLOSE);
    } else {
      context.writeAndFlush(wrapped(reply));
    }
  }

  @Override
  public void backendClosed() {
    pinned = null;
    syncLogin();
    writeAnswered();
    closeAfterWrites();
  }

  @Override
  public CompletionStage<ByteString> pingOnSharedConnection() {
    return backends.of(auth.proxyLogin(), false).forward(PING);
  }

  @Override
  public void unpinned() {
    // Its reads there were Redis's, on a connection Redis did not track for the client.
    tracker.flush();
    pinned = null;
    syncLogin();
    lastKind = null;
    if (held != null) {
      List<RespRequest> rest = held;
      String protocolError = heldProtocolError;
      held = null;
      if (!closing) dispatch(rest, protocolError);
    }
    updateReading();
  }

  @Override
  public void takesMore() {
    if (held == null || pinned == null) return;
    List<RespRequest> rest = held;
    String protocolError = heldProtocolError;
    held = null;
    toPinned(rest, protocolError);
    updateReading();
  }

  // --- writing

  // In request order: a later segment answered first waits for the ones before it.
  private void writeAnswered() {
    boolean wrote = false;
    while (!closing && !unanswered.isEmpty() && unanswered.peek().isDone()) {
      RespReply reply = unanswered.poll().join();
      repliesWritten++;
      wrote = true;
      if (reply.close()) {
        closing = true;
        unanswered.clear();
        context.writeAndFlush(wrapped(reply.bytes())).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (!reply.bytes().isEmpty()) context.write(wrapped(reply.bytes()));
      while (!afterReplies.isEmpty() && afterReplies.peek().queued() <= repliesWritten) afterReplies.poll().action().run();
    }
    if (wrote) context.flush();
    if (closeWhenAnswered && unanswered.isEmpty()) {
      closeAfterWrites();
      return;
    }
    updateReading();
  }

  // --- client tracking

  @Override
  public boolean tracksReads() {
    return tracker.on();
  }

  @Override
  public void readAnswered(CommandTable.Invalidation reads) {
    tracker.readUnfollowed(reads.everything() ? Optional.empty() : Optional.of(reads.keys()));
  }

  @Override
  public long id() {
    return session.id();
  }

  @Override
  public boolean resp3() {
    return session.resp3();
  }

  @Override
  public boolean subscribed() {
    return pinned != null && pinned.subscribed();
  }

  @Override
  public void afterReplies(Runnable action) {
    if (closing) return;
    if (unanswered.isEmpty()) {
      action.run();
      context.flush();
    } else {
      afterReplies.add(new AfterReplies(repliesQueued, action));
    }
  }

  @Override
  public void write(ByteString message) {
    if (!closing) context.write(wrapped(message));
  }

  /** Invalidations for a client tracking with REDIRECT to this one (empty: everything), in this client's protocol. */
  void redirectedInvalidations(Optional<List<ByteString>> keys, boolean trackerResp3) {
    ByteString message = InvalidationMessages.toRedirectTarget(session.resp3(), subscribed(), keys, trackerResp3);
    if (!message.isEmpty()) afterReplies(() -> write(message));
  }

  // An empty write completes after every write before it: the client gets all it was answered.
  /** Closes once what the client is owed is written (QUIT, a protocol error, CLIENT KILL). */
  void closeAfterWrites() {
    closing = true;
    context.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void updateReading() {
    ChannelConfig config = context.channel().config();
    boolean writable = context.channel().isWritable();
    boolean read = !closing && !closeWhenAnswered && unanswered.size() < MAX_SEGMENTS_IN_FLIGHT && writable;
    if (config.isAutoRead() != read) config.setAutoRead(read);
    if (pinned != null) pinned.setReading(writable);
  }

  // Straight into the pooled direct memory the socket write needs anyway: no array per reply.
  private ByteBuf wrapped(ByteString bytes) {
    ByteBuf out = context.alloc().ioBuffer(bytes.size());
    RespEncoding.write(out, bytes);
    return out;
  }
}
