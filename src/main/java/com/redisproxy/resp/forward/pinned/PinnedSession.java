package com.redisproxy.resp.forward.pinned;

import com.redisproxy.resp.forward.Invalidator;
import com.redisproxy.resp.forward.Forwarding;
import com.redisproxy.resp.forward.BackendLink;
import com.redisproxy.resp.forward.BackendAddress;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.command.BlockingWait;
import com.redisproxy.resp.command.CommandTable;
import com.redisproxy.resp.command.HelloRequest;
import com.redisproxy.resp.command.LocalCommands;
import com.redisproxy.resp.command.Refusals;
import com.redisproxy.resp.command.RespAuth;
import com.redisproxy.resp.command.RedisLogin;
import com.redisproxy.resp.command.RespSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/**
 * A client's session while it holds connection state (a transaction, a WATCH, a blocking command,
 * subscriptions, another database, a CLIENT mode...): every request goes to a backing connection
 * of its own and Redis's replies come back as Redis sent them, in order with the few the proxy
 * answers itself (AUTH, refusals). The connection speaks the session's protocol: for a RESP3
 * session it says HELLO 3 before the first request, so replies and pushes are RESP3. Writes still
 * invalidate: before they go out, and again when Redis has answered them (so a read racing the
 * write cannot put the old value back). A session holding only a transaction, a WATCH or a
 * blocking command ends once everything is answered; the other states last as long as the
 * client's connection. When Redis moves (Sentinel names a new master), the session ends at the
 * client's next request: its connection would stay on the old master until Sentinel disconnects
 * it. Redis may not leave it waiting for good: see {@link PinnedWaits}. Used by the loop's thread
 * only.
 */
public final class PinnedSession implements Pinned, BackendLink.Replies {

  /** The client's side of the session. */
  public interface Client {
    void relay(ByteBuf frame);

    void answer(ByteString reply, boolean close);

    /** Redis closed the connection (QUIT, or it went away): the client's connection ends too. */
    void backendClosed();

    /** The state is over; the client is served by the shared connections again. */
    void unpinned();

    /** A session that held requests back ({@link Pinned#takesRequests}) takes them now. */
    default void takesMore() {}

    /** Redis's reply to a PING on the loop's shared connection, as the proxy's own user (or the proxy's error). */
    CompletionStage<ByteString> pingOnSharedConnection();

    /** The client's own CLIENT TRACKING is the proxy's: it is told of each read Redis answers here. */
    boolean tracksReads();

    /** Redis answered, on this session's connection (which Redis does not track for it), a read of {@code reads}. */
    void readAnswered(CommandTable.Invalidation reads);
  }

  /** A reply owed to the client: the next of Redis's, or the proxy's own. */
  private sealed interface Owed {}

  /**
   * {@code protocol}: the version the connection speaks once Redis accepts this request (HELLO,
   * RESET); {@code reads}: what a tracking client read by it; {@code quiet}: the reply is not the
   * client's (a request the proxy sent on its behalf).
   */
  private record FromRedis(CommandTable.Invalidation after, OptionalInt protocol, Optional<RedisLogin> login,
      CommandTable.Invalidation reads, boolean quiet) implements Owed {
    FromRedis(CommandTable.Invalidation after, OptionalInt protocol) {
      this(after, protocol, Optional.empty(), CommandTable.Invalidation.NONE, false);
    }
  }

  private record FromProxy(ByteString reply, boolean close) implements Owed {}

  private static final ByteString PONG = new RespWriter().simple("PONG").result();
  private static final ByteString MOVED = new RespWriter()
      .error("ERR the backing Redis's master moved; this connection's state (MULTI, WATCH, SELECT ...) is lost").result();

  /** The client's connection the session serves: its loop, its session state, who it may be, where replies go. */
  public record Connection(EventLoop loop, RespSession session, RespAuth auth, Client client) {}

  private final Forwarding forwarding;
  private final BackendAddress address;
  private final CommandTable table;
  private final Invalidator cache;
  private final RespAuth auth;
  private final RespSession session;
  private final Client client;
  private final BackendLink link;
  private final PinnedWaits waits;
  // Sentinel's master: the session ends when Redis moves. A cluster node redirects by itself (MOVED).
  private final boolean followsLocator;
  private final ArrayDeque<Owed> owed = new ArrayDeque<>();
  private boolean inTransaction;
  private boolean transactionWrites;
  private boolean watching;
  private boolean lasting; // a state that ends only with the connection
  private boolean unmatched; // replies no longer match requests one to one (pub/sub, MONITOR, CLIENT REPLY)
  private boolean monitoring; // counted in forwarding's monitors until the session ends
  private boolean subscribed; // pub/sub: a RESP2 redirect target of client tracking gets its messages
  private boolean ended;

  /** Opens the session's connection to Redis at {@code address}; the caller has taken one of the pinned connections. */
  public PinnedSession(Forwarding forwarding, BackendAddress address, Connection connection) {
    this(forwarding, address, connection, true);
  }

  /**
   * A session on a Redis Cluster node's connection: it does not follow where the locator says
   * Redis is, since the node answers MOVED or ASK itself for a slot it no longer serves.
   */
  public static PinnedSession onNode(Forwarding forwarding, BackendAddress node, Connection connection) {
    return new PinnedSession(forwarding, node, connection, false);
  }

  private PinnedSession(Forwarding forwarding, BackendAddress address, Connection connection, boolean followsLocator) {
    this.forwarding = forwarding;
    this.followsLocator = followsLocator;
    this.address = address;
    this.table = forwarding.table();
    this.cache = forwarding.cache();
    this.auth = connection.auth();
    this.session = connection.session();
    this.client = connection.client();
    RedisLogin login = auth.login(session);
    Optional<RedisLogin> asClient = login.equals(auth.proxyLogin()) ? Optional.empty() : Optional.of(login);
    this.waits = new PinnedWaits(connection.loop(), forwarding.forwardTimeout(), new PinnedWaits.Session() {
      @Override
      public void givenUp(ByteString error) {
        endWith(error, true);
        link.close();
      }

      @Override
      public CompletionStage<Boolean> redisAnswers() {
        return client.pingOnSharedConnection().thenApply(PONG::equals);
      }
    });
    this.link = BackendLink.open(connection.loop(), address, forwarding.connectTimeout(), session.resp3(), asClient, this);
  }

  @Override
  public void handle(RespRequest request) {
    handle(request, false);
  }

  /**
   * As {@link #handle}, for a request the proxy sends on the client's behalf (a MULTI it answered
   * itself): Redis's reply is not relayed.
   */
  public void handleQuietly(RespRequest request) {
    handle(request, true);
  }

  /** The proxy's own answer, in its place among the replies owed. */
  public void answerInOrder(ByteString reply) {
    answer(reply, false);
  }

  private void handle(RespRequest request, boolean quiet) {
    if (movedAway()) return;
    if (!auth.allows(session, request)) {
      answer(RespAuth.NOAUTH, false);
      return;
    }
    if (auth.goesToRedis(session, request)) {
      logIn(request);
      return;
    }
    switch (CommandTable.inPinnedSession(request)) {
      case PROXY -> answer(LocalCommands.answer(session, request, auth), false);
      case AUTHENTICATE_THEN_REDIS -> authenticateThenSend(request);
      case REDIS -> {
        if (table.route(request) == CommandTable.Route.REFUSED) {
          answer(Refusals.refused(request), false);
          return;
        }
        BlockingWait wait = inTransaction ? BlockingWait.NONE : BlockingWait.of(request); // MULTI never blocks
        if (request.is("subscribe") || request.is("psubscribe") || request.is("ssubscribe")) {
          subscribed = true;
          send(request.args(), track(request), OptionalInt.empty(), wait, CommandTable.Invalidation.NONE, quiet);
        } else {
          // A read queued in a transaction is answered by EXEC, whose end tells the client everything changed.
          CommandTable.Invalidation reads = client.tracksReads() && !inTransaction ? table.reads(request) : CommandTable.Invalidation.NONE;
          send(request.args(), track(request), resetsProtocol(request) ? OptionalInt.of(2) : OptionalInt.empty(), wait, reads,
              quiet);
        }
        if (unmatched) waits.waitWithoutEnd();
      }
    }
  }

  private boolean movedAway() {
    if (!followsLocator || ended || forwarding.backend().current().filter(address::equals).isPresent()) return false;
    owed.add(new FromProxy(MOVED, true)); // the request's answer
    closed(MOVED);
    link.close();
    return true;
  }

  @Override
  public void protocolError(String message) {
    answer(new RespWriter().error("ERR " + message).result(), true);
  }

  @Override
  public void setReading(boolean reading) {
    link.setReading(reading);
    waits.paused(!reading);
  }

  /**
   * True while the session waits on Redis: a reply is owed, or it is subscribed or in MONITOR.
   * Such a client is never idle, as Redis's own {@code timeout} spares pub/sub and blocked clients.
   */
  /** The client subscribed to a channel or pattern on this session (as Redis's pub/sub mode, not undone by UNSUBSCRIBE). */
  @Override
  public boolean subscribed() {
    return subscribed;
  }

  @Override
  public boolean waitsOnRedis() {
    return !owed.isEmpty() || unmatched;
  }

  @Override
  public void end() {
    if (ended) return;
    ended = true;
    waits.stop();
    link.close();
    released();
  }

  private void released() {
    forwarding.releasePinned();
    if (monitoring) forwarding.monitorEnded();
    monitoring = false;
  }

  // Past the gate, AUTH is Redis's: on this connection it changes the connection's user, as in Redis.
  private void logIn(RespRequest request) {
    Optional<RedisLogin> login = Optional.empty();
    if (request.is("auth") && (request.size() == 2 || request.size() == 3)) {
      login = Optional.of(RedisLogin.of(request.size() == 3 ? Optional.of(request.arg(1)) : Optional.empty(),
          request.arg(request.size() - 1)));
    }
    HelloRequest hello = request.is("hello") ? HelloRequest.parse(request) : null;
    OptionalInt protocol = OptionalInt.empty();
    if (hello != null && hello.credentials().isPresent()) {
      HelloRequest.Credentials credentials = hello.credentials().get();
      login = Optional.of(RedisLogin.of(Optional.of(credentials.user()), credentials.password()));
      if (hello.version().isPresent() && !inTransaction) protocol = OptionalInt.of(hello.version().get());
    }
    if (!unmatched) {
      owed.add(new FromRedis(CommandTable.Invalidation.NONE, protocol, inTransaction ? Optional.empty() : login,
          CommandTable.Invalidation.NONE, false));
      waits.sent(BlockingWait.NONE);
    }
    link.send(request.args());
  }

  // HELLO's AUTH is for the proxy's gate; Redis sees HELLO with the version and SETNAME only.
  private void authenticateThenSend(RespRequest request) {
    HelloRequest hello = HelloRequest.parse(request);
    if (hello.error().isPresent()) {
      // Inside MULTI Redis queues it and EXEC's reply holds the error; never with the credentials.
      if (inTransaction) {
        send(HelloRequest.withEveryAuthRemoved(request), CommandTable.Invalidation.NONE, OptionalInt.empty(), BlockingWait.NONE, false);
      }
      else answer(new RespWriter().error(hello.error().get()).result(), false);
      return;
    }
    if (hello.credentials().isPresent()) {
      HelloRequest.Credentials credentials = hello.credentials().get();
      Optional<ByteString> refused = auth.helloAuth(session, credentials.user(), credentials.password());
      if (refused.isPresent()) {
        answer(refused.get(), false);
        return;
      }
    }
    if (!session.authenticated()) {
      answer(RespAuth.HELLO_NOAUTH, false);
      return;
    }
    // Inside MULTI, HELLO is only queued: what the connection speaks is known again after EXEC.
    boolean switches = hello.version().isPresent() && !inTransaction;
    send(hello.withoutCredentials(), CommandTable.Invalidation.NONE,
        switches ? OptionalInt.of(hello.version().get()) : OptionalInt.empty(), BlockingWait.NONE, false);
  }

  private static boolean resetsProtocol(RespRequest request) {
    return CommandTable.effect(request) == CommandTable.Effect.RESETS;
  }

  private CommandTable.Invalidation track(RespRequest request) {
    CommandTable.Invalidation invalidation = table.invalidation(request);
    switch (CommandTable.effect(request)) {
      case BEGINS_TRANSACTION -> {
        inTransaction = true;
        transactionWrites = false;
      }
      case RUNS_TRANSACTION, DISCARDS_TRANSACTION -> {
        boolean wrote = transactionWrites && CommandTable.effect(request) == CommandTable.Effect.RUNS_TRANSACTION;
        inTransaction = false;
        watching = false;
        if (wrote) return CommandTable.Invalidation.EVERYTHING;
      }
      case WATCHES -> watching = true;
      case UNWATCHES -> watching = false;
      case UNMATCHES_REPLIES -> {
        lasting = true;
        unmatched = true;
        if (request.is("monitor") && !monitoring) {
          monitoring = true;
          forwarding.monitorStarted();
        }
      }
      case LASTS, RESETS -> lasting = true;
      case NONE -> { }
    }
    if (inTransaction && !invalidation.isNone()) transactionWrites = true;
    return invalidation;
  }

  private void send(List<ByteString> args, CommandTable.Invalidation invalidation, OptionalInt protocol, BlockingWait wait,
      boolean quiet) {
    send(args, invalidation, protocol, wait, CommandTable.Invalidation.NONE, quiet);
  }

  private void send(List<ByteString> args, CommandTable.Invalidation invalidation, OptionalInt protocol, BlockingWait wait,
      CommandTable.Invalidation reads, boolean quiet) {
    cache.invalidate(invalidation);
    if (!unmatched) {
      owed.add(new FromRedis(invalidation, protocol, Optional.empty(), reads, quiet));
      waits.sent(wait);
    }
    link.send(args);
  }

  private void answer(ByteString reply, boolean close) {
    if (unmatched || owed.isEmpty()) {
      client.answer(reply, close);
      unpinIfOver(); // nothing was sent, so nothing may hold the session
    } else {
      owed.add(new FromProxy(reply, close));
    }
  }

  @Override
  public void reply(ByteBuf frame, boolean push) {
    waits.heard();
    if (push || unmatched) {
      client.relay(frame);
      return;
    }
    CommandTable.Invalidation readsAnswered = CommandTable.Invalidation.NONE;
    if (owed.peek() instanceof FromRedis next) {
      owed.poll();
      waits.answered();
      cache.invalidate(next.after());
      boolean accepted = frame.getByte(frame.readerIndex()) != '-';
      if (accepted && next.protocol().isPresent()) session.speak(next.protocol().getAsInt());
      if (accepted && next.login().isPresent()) auth.loggedIn(session, next.login().get());
      readsAnswered = next.reads();
      if (!next.quiet()) client.relay(frame);
    } else {
      client.relay(frame);
    }
    if (!readsAnswered.isNone()) client.readAnswered(readsAnswered);
    answerReady();
    unpinIfOver();
  }

  private void answerReady() {
    while (owed.peek() instanceof FromProxy local) {
      owed.poll();
      client.answer(local.reply(), local.close());
    }
  }

  private void unpinIfOver() {
    if (owed.isEmpty() && !inTransaction && !watching && !lasting && !unmatched && !ended) {
      ended = true;
      waits.stop();
      link.close();
      released();
      client.unpinned();
    }
  }

  @Override
  public void closed(ByteString error) {
    endWith(error, false);
  }

  // What Redis did not answer gets the error, so the client learns why its connection ends; told
  // anyway, so does a client owed nothing (subscribed, in MONITOR).
  private void endWith(ByteString error, boolean toldAnyway) {
    if (ended) return;
    ended = true;
    waits.stop();
    released();
    boolean told = false;
    for (Owed next : owed) {
      if (next instanceof FromProxy local) {
        client.answer(local.reply(), local.close());
      } else {
        client.answer(error, false);
        told = true;
      }
    }
    owed.clear();
    if (toldAnyway && !told) client.answer(error, false);
    client.backendClosed();
  }
}
