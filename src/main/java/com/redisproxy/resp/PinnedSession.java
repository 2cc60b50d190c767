package com.redisproxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.util.ByteString;

/**
 * A client's session while it holds connection state (a transaction, a WATCH, a blocking command,
 * subscriptions, another database, RESP3...): every request goes to a backing connection of its
 * own and Redis's replies come back as Redis sent them, in order with the few the proxy answers
 * itself (AUTH, refusals). Writes still invalidate: before they go out, and again when Redis has
 * answered them (so a read racing the write cannot put the old value back). A session holding
 * only a transaction, a WATCH or a blocking command ends once everything is answered; the other
 * states last as long as the client's connection. A session that speaks RESP3 and holds no other
 * state still reads GET and MGET from the cache; a read waits for what Redis owes before it, and
 * a request for Redis waits for the reads before it, so a read sees the writes before it and none
 * after it. When Redis moves (Sentinel names a new master), the session ends at the client's next
 * request: its connection would stay on the old master until Sentinel disconnects it. Used by
 * the loop's thread only.
 */
final class PinnedSession implements BackendLink.Replies {

  /** The client's side of the session. */
  interface Client {
    void relay(ByteBuf frame);

    void answer(ByteString reply, boolean close);

    /** Redis closed the connection (QUIT, or it went away): the client's connection ends too. */
    void backendClosed();

    /** The state is over; the client is served by the shared connections again. */
    void unpinned();

    /** A GET or MGET answered from the cache, in the session's protocol; never fails. */
    CompletableFuture<ByteString> readCached(RespRequest request);
  }

  /** A reply owed to the client: the next of Redis's, or the proxy's own (at once, or once the cache answers). */
  private sealed interface Owed {}

  /** {@code protocol}: the version the connection speaks once Redis accepts this request (HELLO, RESET). */
  private record FromRedis(CommandTable.Invalidation after, OptionalInt protocol) implements Owed {}

  private record FromProxy(CompletableFuture<ByteString> reply, boolean close) implements Owed {}

  private static final ByteString MOVED = new RespWriter()
      .error("ERR the backing Redis's master moved; this connection's state (MULTI, WATCH, SELECT ...) is lost").result();

  private final EventLoop loop;
  private final BackendLocator backend;
  private final BackendAddress address;
  private final CommandTable table;
  private final Invalidator cache;
  private final RespAuth auth;
  private final RespSession session;
  private final Client client;
  private final Runnable release;
  private final BackendLink link;
  private final ArrayDeque<Owed> owed = new ArrayDeque<>();
  // Requests that wait for the cache's or Redis's answers before they may start.
  private final ArrayDeque<RespRequest> waiting = new ArrayDeque<>();
  private Optional<String> waitingProtocolError = Optional.empty();
  private int redisOwed;
  private int readsOwed;
  private boolean inTransaction;
  private boolean transactionWrites;
  private boolean watching;
  private boolean lasting; // a state that ends only with the connection
  private boolean otherState; // SELECT or a CLIENT mode: the cache cannot answer for this connection
  private boolean unmatched; // replies no longer match requests one to one (pub/sub, MONITOR, CLIENT REPLY)
  private boolean ended;

  PinnedSession(EventLoop loop, BackendLocator backend, BackendAddress address, CommandTable table, Invalidator cache,
      RespAuth auth, RespSession session, Client client, Runnable release) {
    this.loop = loop;
    this.backend = backend;
    this.address = address;
    this.table = table;
    this.cache = cache;
    this.auth = auth;
    this.session = session;
    this.client = client;
    this.release = release;
    this.link = BackendLink.open(loop, address, this);
  }

  void handle(RespRequest request) {
    if (movedAway()) return;
    if (!waiting.isEmpty() || !start(request)) waiting.add(request);
  }

  private boolean movedAway() {
    if (ended || backend.current().filter(address::equals).isPresent()) return false;
    owed.add(new FromProxy(CompletableFuture.completedFuture(MOVED), true)); // the request's answer
    closed(MOVED);
    link.close();
    return true;
  }

  void protocolError(String message) {
    if (waiting.isEmpty()) answer(new RespWriter().error("ERR " + message).result(), true);
    else waitingProtocolError = Optional.of(message);
  }

  void setReading(boolean reading) {
    link.setReading(reading);
  }

  /** The client's connection closed. */
  void end() {
    if (ended) return;
    ended = true;
    link.close();
    release.run();
  }

  // False when the request must wait: it is started again once what it waits for is answered.
  private boolean start(RespRequest request) {
    boolean read = readsFromCache(request);
    if (read ? redisOwed > 0 : readsOwed > 0) return false;
    String name = request.name();
    if (!auth.allows(session, request)) {
      answer(RespAuth.NOAUTH, false);
    } else if (read) {
      read(request);
    } else if (name.equals("auth")) {
      answer(auth.auth(session, request), false);
    } else if (name.equals("hello")) {
      hello(request);
    } else if (table.route(request) == CommandTable.Route.REFUSED) {
      answer(Refusals.refused(request), false);
    } else {
      send(request.args(), track(request, name), name.equals("reset") ? OptionalInt.of(2) : OptionalInt.empty());
    }
    return true;
  }

  private boolean readsFromCache(RespRequest request) {
    return session.resp3 && !inTransaction && !watching && !unmatched && !otherState
        && table.route(request) == CommandTable.Route.CACHED && auth.allows(session, request);
  }

  private void read(RespRequest request) {
    CompletableFuture<ByteString> reply = client.readCached(request);
    readsOwed++;
    owed.add(new FromProxy(reply, false));
    // The cache answers on the loop, and not before this request has been started.
    if (reply.isDone()) loop.execute(this::readAnswered);
    else reply.whenComplete((answered, failure) -> readAnswered());
  }

  private void readAnswered() {
    readsOwed--;
    if (ended) return;
    answerReady();
    startWaiting();
    unpinIfOver();
  }

  private void startWaiting() {
    while (!waiting.isEmpty() && !ended && start(waiting.peek())) waiting.poll();
    if (waiting.isEmpty() && waitingProtocolError.isPresent()) {
      String message = waitingProtocolError.get();
      waitingProtocolError = Optional.empty();
      protocolError(message);
    }
  }

  // HELLO's AUTH is for the proxy; Redis sees HELLO with the version and SETNAME only.
  private void hello(RespRequest request) {
    List<ByteString> args = new java.util.ArrayList<>();
    for (int i = 0; i < request.size(); i++) {
      if (i >= 2 && i + 2 < request.size() && request.arg(i).utf8String().equalsIgnoreCase("auth")) {
        Optional<ByteString> refused = auth.authenticate(session, request.arg(i + 1), request.arg(i + 2));
        if (refused.isPresent()) {
          answer(refused.get(), false);
          return;
        }
        i += 2;
      } else {
        args.add(request.arg(i));
      }
    }
    if (!session.authenticated) {
      answer(RespAuth.HELLO_NOAUTH, false);
      return;
    }
    if (args.size() >= 2) lasting = true;
    // Inside MULTI, HELLO is only queued: what the connection speaks is known again after EXEC.
    boolean switches = args.size() >= 2 && !inTransaction;
    send(args, CommandTable.Invalidation.NONE, switches ? protocol(args.get(1)) : OptionalInt.empty());
  }

  private static OptionalInt protocol(ByteString version) {
    String text = version.utf8String();
    return text.equals("2") || text.equals("3") ? OptionalInt.of(Integer.parseInt(text)) : OptionalInt.empty();
  }

  private CommandTable.Invalidation track(RespRequest request, String name) {
    CommandTable.Invalidation invalidation = table.invalidation(request);
    switch (name) {
      case "multi" -> {
        inTransaction = true;
        transactionWrites = false;
      }
      case "exec", "discard" -> {
        boolean wrote = transactionWrites && name.equals("exec");
        inTransaction = false;
        watching = false;
        if (wrote) return CommandTable.Invalidation.EVERYTHING;
      }
      case "watch" -> watching = true;
      case "unwatch" -> watching = false;
      case "subscribe", "psubscribe", "ssubscribe", "monitor" -> {
        lasting = true;
        unmatched = true;
      }
      case "client" -> {
        // CLIENT LIST or KILL inside a transaction leave nothing behind; REPLY, TRACKING ... do.
        if (table.route(request) == CommandTable.Route.PINNED) {
          lasting = true;
          otherState = true;
        }
        String sub = request.size() > 1 ? request.arg(1).utf8String().toLowerCase(Locale.ROOT) : "";
        if (sub.equals("reply")) unmatched = true;
      }
      case "select" -> {
        lasting = true;
        otherState = true;
      }
      case "reset" -> lasting = true;
      default -> { }
    }
    if (inTransaction && !invalidation.isNone()) transactionWrites = true;
    return invalidation;
  }

  private void send(List<ByteString> args, CommandTable.Invalidation invalidation, OptionalInt protocol) {
    cache.invalidate(invalidation);
    if (!unmatched) {
      owed.add(new FromRedis(invalidation, protocol));
      redisOwed++;
    }
    link.send(args);
  }

  private void answer(ByteString reply, boolean close) {
    if (unmatched || owed.isEmpty()) {
      client.answer(reply, close);
      unpinIfOver(); // e.g. HELLO 3 with a wrong password: nothing was sent
    } else {
      owed.add(new FromProxy(CompletableFuture.completedFuture(reply), close));
    }
  }

  // Redis's reply is always for the head: a request for Redis starts only once the reads before it are answered.
  @Override
  public void reply(ByteBuf frame, boolean push) {
    if (push || unmatched) {
      client.relay(frame);
      return;
    }
    if (owed.peek() instanceof FromRedis next) {
      owed.poll();
      redisOwed--;
      cache.invalidate(next.after());
      boolean accepted = frame.getByte(frame.readerIndex()) != '-';
      if (accepted && next.protocol().isPresent()) session.resp3 = next.protocol().getAsInt() == 3;
    }
    client.relay(frame);
    answerReady();
    startWaiting();
    unpinIfOver();
  }

  private void answerReady() {
    while (owed.peek() instanceof FromProxy local && local.reply().isDone()) {
      owed.poll();
      client.answer(local.reply().join(), local.close());
    }
  }

  private void unpinIfOver() {
    if (owed.isEmpty() && waiting.isEmpty() && !inTransaction && !watching && !lasting && !unmatched && !ended) {
      ended = true;
      link.close();
      release.run();
      client.unpinned();
    }
  }

  @Override
  public void closed(ByteString error) {
    if (ended) return;
    ended = true;
    release.run();
    // What Redis did not answer gets the error, so the client learns why its connection ends.
    for (Owed next : owed) {
      if (next instanceof FromProxy local) client.answer(local.reply().getNow(error), local.close());
      else client.answer(error, false);
    }
    owed.clear();
    waiting.clear();
    client.backendClosed();
  }
}
