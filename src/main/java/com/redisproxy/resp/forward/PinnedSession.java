package com.redisproxy.resp.forward;

import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
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
 * it. Used by the loop's thread only.
 */
public final class PinnedSession implements BackendLink.Replies {

  /** The client's side of the session. */
  public interface Client {
    void relay(ByteBuf frame);

    void answer(ByteString reply, boolean close);

    /** Redis closed the connection (QUIT, or it went away): the client's connection ends too. */
    void backendClosed();

    /** The state is over; the client is served by the shared connections again. */
    void unpinned();

    /** The client's own CLIENT TRACKING is the proxy's: it is told of each read Redis answers here. */
    boolean tracksReads();

    /** Redis answered, on this session's connection (which Redis does not track for it), a read of {@code reads}. */
    void readAnswered(CommandTable.Invalidation reads);
  }

  /** A reply owed to the client: the next of Redis's, or the proxy's own. */
  private sealed interface Owed {}

  /** {@code protocol}: the version the connection speaks once Redis accepts this request (HELLO, RESET). */
  private record FromRedis(CommandTable.Invalidation after, OptionalInt protocol, Optional<RedisLogin> login,
      CommandTable.Invalidation reads) implements Owed {
  }

  private record FromProxy(ByteString reply, boolean close) implements Owed {}

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
  private final ArrayDeque<Owed> owed = new ArrayDeque<>();
  private boolean inTransaction;
  private boolean transactionWrites;
  private boolean watching;
  private boolean lasting; // a state that ends only with the connection
  private boolean unmatched; // replies no longer match requests one to one (pub/sub, MONITOR, CLIENT REPLY)
  private boolean subscribed; // pub/sub: a RESP2 redirect target of client tracking gets its messages
  private boolean ended;

  /** Opens the session's connection to Redis at {@code address}; the caller has taken one of the pinned connections. */
  public PinnedSession(Forwarding forwarding, BackendAddress address, Connection connection) {
    this.forwarding = forwarding;
    this.address = address;
    this.table = forwarding.table();
    this.cache = forwarding.cache();
    this.auth = connection.auth();
    this.session = connection.session();
    this.client = connection.client();
    RedisLogin login = auth.login(session);
    Optional<RedisLogin> asClient = login.equals(auth.proxyLogin()) ? Optional.empty() : Optional.of(login);
    this.link = BackendLink.open(connection.loop(), address, forwarding.connectTimeout(), session.resp3(), asClient, this);
  }

  public void handle(RespRequest request) {
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
        if (table.route(request) == CommandTable.Route.REFUSED) answer(Refusals.refused(request), false);
        else if (request.is("subscribe") || request.is("psubscribe") || request.is("ssubscribe")) {
          subscribed = true;
          send(request.args(), track(request), OptionalInt.empty());
        } else {
          // A read queued in a transaction is answered by EXEC, whose end tells the client everything changed.
          CommandTable.Invalidation reads = client.tracksReads() && !inTransaction ? table.reads(request) : CommandTable.Invalidation.NONE;
          send(request.args(), track(request), resetsProtocol(request) ? OptionalInt.of(2) : OptionalInt.empty(), reads);
        }
      }
    }
  }

  private boolean movedAway() {
    if (ended || forwarding.backend().current().filter(address::equals).isPresent()) return false;
    owed.add(new FromProxy(MOVED, true)); // the request's answer
    closed(MOVED);
    link.close();
    return true;
  }

  public void protocolError(String message) {
    answer(new RespWriter().error("ERR " + message).result(), true);
  }

  public void setReading(boolean reading) {
    link.setReading(reading);
  }

  /**
   * True while the session waits on Redis: a reply is owed, or it is subscribed or in MONITOR.
   * Such a client is never idle, as Redis's own {@code timeout} spares pub/sub and blocked clients.
   */
  /** The client subscribed to a channel or pattern on this session (as Redis's pub/sub mode, not undone by UNSUBSCRIBE). */
  public boolean subscribed() {
    return subscribed;
  }

  public boolean waitsOnRedis() {
    return !owed.isEmpty() || unmatched;
  }

  /** The client's connection closed. */
  public void end() {
    if (ended) return;
    ended = true;
    link.close();
    forwarding.releasePinned();
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
          CommandTable.Invalidation.NONE));
    }
    link.send(request.args());
  }

  // HELLO's AUTH is for the proxy's gate; Redis sees HELLO with the version and SETNAME only.
  private void authenticateThenSend(RespRequest request) {
    HelloRequest hello = HelloRequest.parse(request);
    if (hello.error().isPresent()) {
      // Inside MULTI Redis queues it and EXEC's reply holds the error; never with the credentials.
      if (inTransaction) send(HelloRequest.withEveryAuthRemoved(request), CommandTable.Invalidation.NONE, OptionalInt.empty());
      else answer(new RespWriter().error(hello.error().get()).result(), false);
      return;
    }
    if (hello.credentials().isPresent()) {
      HelloRequest.Credentials credentials = hello.credentials().get();
      Optional<ByteString> refused = auth.authenticate(session, credentials.user(), credentials.password());
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
        switches ? OptionalInt.of(hello.version().get()) : OptionalInt.empty());
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
      }
      case LASTS, RESETS -> lasting = true;
      case NONE -> { }
    }
    if (inTransaction && !invalidation.isNone()) transactionWrites = true;
    return invalidation;
  }

  private void send(List<ByteString> args, CommandTable.Invalidation invalidation, OptionalInt protocol) {
    send(args, invalidation, protocol, CommandTable.Invalidation.NONE);
  }

  private void send(List<ByteString> args, CommandTable.Invalidation invalidation, OptionalInt protocol,
      CommandTable.Invalidation reads) {
    cache.invalidate(invalidation);
    if (!unmatched) owed.add(new FromRedis(invalidation, protocol, Optional.empty(), reads));
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
    if (push || unmatched) {
      client.relay(frame);
      return;
    }
    CommandTable.Invalidation readsAnswered = CommandTable.Invalidation.NONE;
    if (owed.peek() instanceof FromRedis next) {
      owed.poll();
      cache.invalidate(next.after());
      boolean accepted = frame.getByte(frame.readerIndex()) != '-';
      if (accepted && next.protocol().isPresent()) session.speak(next.protocol().getAsInt());
      if (accepted && next.login().isPresent()) auth.loggedIn(session, next.login().get());
      readsAnswered = next.reads();
    }
    client.relay(frame);
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
      link.close();
      forwarding.releasePinned();
      client.unpinned();
    }
  }

  @Override
  public void closed(ByteString error) {
    if (ended) return;
    ended = true;
    forwarding.releasePinned();
    // What Redis did not answer gets the error, so the client learns why its connection ends.
    for (Owed next : owed) {
      if (next instanceof FromProxy local) client.answer(local.reply(), local.close());
      else client.answer(error, false);
    }
    owed.clear();
    client.backendClosed();
  }
}
