package com.redisproxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * A client's session while it holds connection state (a transaction, a WATCH, a blocking command,
 * subscriptions, another database, RESP3...): every request goes to a backing connection of its
 * own and Redis's replies come back as Redis sent them, in order with the few the proxy answers
 * itself (AUTH, refusals). Writes still invalidate: before they go out, and again when Redis has
 * answered them (so a read racing the write cannot put the old value back). A session holding
 * only a transaction, a WATCH or a blocking command ends once everything is answered; the other
 * states last as long as the client's connection. Used by the loop's thread only.
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
  }

  /** A reply owed to the client: the proxy's own, or the next of Redis's. */
  private record Owed(Optional<ByteString> local, boolean close, CommandTable.Invalidation after) {}

  private final CommandTable table;
  private final Invalidator cache;
  private final RespAuth auth;
  private final RespSession session;
  private final Client client;
  private final Runnable release;
  private final BackendLink link;
  private final ArrayDeque<Owed> owed = new ArrayDeque<>();
  private boolean inTransaction;
  private boolean transactionWrites;
  private boolean watching;
  private boolean lasting; // a state that ends only with the connection
  private boolean unmatched; // replies no longer match requests one to one (pub/sub, MONITOR, CLIENT REPLY)
  private boolean ended;

  PinnedSession(EventLoop loop, BackendAddress address, CommandTable table, Invalidator cache, RespAuth auth,
      RespSession session, Client client, Runnable release) {
    this.table = table;
    this.cache = cache;
    this.auth = auth;
    this.session = session;
    this.client = client;
    this.release = release;
    this.link = BackendLink.open(loop, address, this);
  }

  void handle(RespRequest request) {
    if (!auth.allows(session, request)) {
      answer(RespAuth.NOAUTH, false);
      return;
    }
    String name = request.name();
    if (name.equals("auth")) {
      answer(auth.auth(session, request), false);
    } else if (name.equals("hello")) {
      hello(request);
    } else if (table.route(request) == CommandTable.Route.REFUSED) {
      answer(Refusals.refused(request), false);
    } else {
      send(request.args(), track(request, name));
    }
  }

  void protocolError(String message) {
    answer(new RespWriter().error("ERR " + message).result(), true);
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
    send(args, CommandTable.Invalidation.NONE);
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
        if (table.route(request) == CommandTable.Route.PINNED) lasting = true;
        String sub = request.size() > 1 ? request.arg(1).utf8String().toLowerCase(Locale.ROOT) : "";
        if (sub.equals("reply")) unmatched = true;
      }
      case "select", "reset" -> lasting = true;
      default -> { }
    }
    if (inTransaction && !invalidation.isNone()) transactionWrites = true;
    return invalidation;
  }

  private void send(List<ByteString> args, CommandTable.Invalidation invalidation) {
    cache.invalidate(invalidation);
    if (!unmatched) owed.add(new Owed(Optional.empty(), false, invalidation));
    link.send(args);
  }

  private void answer(ByteString reply, boolean close) {
    if (unmatched || owed.isEmpty()) {
      client.answer(reply, close);
      unpinIfOver(); // e.g. HELLO 3 with a wrong password: nothing was sent
    } else {
      owed.add(new Owed(Optional.of(reply), close, CommandTable.Invalidation.NONE));
    }
  }

  @Override
  public void reply(ByteBuf frame, boolean push) {
    if (push || unmatched) {
      client.relay(frame);
      return;
    }
    Owed next = owed.poll();
    if (next != null) cache.invalidate(next.after());
    client.relay(frame);
    while (!owed.isEmpty() && owed.peek().local().isPresent()) {
      Owed local = owed.poll();
      client.answer(local.local().get(), local.close());
    }
    unpinIfOver();
  }

  private void unpinIfOver() {
    if (owed.isEmpty() && !inTransaction && !watching && !lasting && !unmatched && !ended) {
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
    for (Owed next : owed) client.answer(next.local().orElse(error), next.close());
    owed.clear();
    client.backendClosed();
  }
}
