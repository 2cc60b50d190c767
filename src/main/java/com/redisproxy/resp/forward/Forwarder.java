package com.redisproxy.resp.forward;

import com.redisproxy.cache.client.CacheReads;
import com.redisproxy.resp.codec.RespReply;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.command.CommandTable;
import com.redisproxy.resp.command.HelloRequest;
import com.redisproxy.resp.command.RedisLogin;
import com.redisproxy.resp.command.Refusals;
import com.redisproxy.resp.command.RespAuth;
import com.redisproxy.resp.command.RespCommands;
import com.redisproxy.resp.command.RespSession;
import com.redisproxy.resp.tracking.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * One client connection's forwarded requests: each goes to the {@link Backend} that speaks the
 * session's protocol (RESP2 or RESP3, so Redis's reply is relayed as it is), after
 * the write rule has dropped what it may change (again once Redis has answered it); INFO gets the
 * proxy's section; refusals and a transaction refused a dedicated connection are answered here.
 * Used by the connection's loop only.
 */
public final class Forwarder {
  private static final ByteString OK = new RespWriter().simple("OK").result();
  private static final ByteString AUTH = ByteString.fromString("AUTH");
  private static final ByteString WRONGPASS = ByteString.fromString("-WRONGPASS");

  private final RespSession session;
  private final RespAuth auth;
  private final Forwarding forwarding;
  private final Backends backends;
  private final ChosenBackend chosen;
  private final CacheReads cache;
  private final RespCommands commands;
  private final Executor loop;
  private final Tracker tracker;
  // MULTI was refused a dedicated connection: what the client queues is discarded at EXEC.
  private boolean refusedTransaction;

  /**
   * @param loop runs what must happen on the connection's event loop
   * @param tracker the client's CLIENT TRACKING: its writes (NOLOOP) and its reads Redis answers
   */
  public Forwarder(RespSession session, RespAuth auth, Forwarding forwarding, Backends backends, CacheReads cache,
      RespCommands commands, Executor loop, Tracker tracker) {
    this.loop = loop;
    this.tracker = tracker;
    this.session = session;
    this.auth = auth;
    this.forwarding = forwarding;
    this.backends = backends;
    this.chosen = new ChosenBackend(backends);
    this.cache = cache;
    this.commands = commands;
  }

  public boolean inRefusedTransaction() {
    return refusedTransaction;
  }

  public void refuseTransaction() {
    refusedTransaction = true;
  }

  public CompletableFuture<RespReply> forwardAll(List<RespRequest> run) {
    List<CompletableFuture<ByteString>> replies = new ArrayList<>();
    for (int from = 0; from < run.size(); ) {
      int to = from;
      while (to < run.size() && plain(run.get(to))) to++;
      if (to > from) {
        replies.add(forwardPlain(run.subList(from, to)));
        from = to;
      } else {
        replies.add(forward(run.get(from++)));
      }
    }
    if (replies.size() == 1) return replies.get(0).thenApply(reply -> new RespReply(reply, false));
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(all -> {
      ByteStringBuilder out = new ByteStringBuilder();
      for (CompletableFuture<ByteString> reply : replies) out.append(reply.join());
      return new RespReply(out.result(), false);
    });
  }

  // Relayed as Redis answers it and nothing more: not refused, not INFO, no change to Redis's users,
  // no tracking client to tell of a read. A run of these goes to the backend together.
  private boolean plain(RespRequest request) {
    if (refusedTransaction || tracker.on() || !auth.allows(session, request)) return false;
    CommandTable.Route route = forwarding.table().route(request);
    return (route == CommandTable.Route.FORWARDED || route == CommandTable.Route.CACHED)
        && !CommandTable.changesUsers(request);
  }

  // As forward does it for one request: what a write may change is dropped before it goes and again
  // once Redis has answered it.
  private CompletableFuture<ByteString> forwardPlain(List<RespRequest> requests) {
    boolean everythingWritten = false;
    List<ByteString> keysWritten = new ArrayList<>(0);
    for (RespRequest request : requests) {
      CommandTable.Invalidation invalidation = forwarding.table().invalidation(request);
      if (!invalidation.everything()) tracker.wrote(invalidation.keys());
      everythingWritten |= invalidation.everything();
      keysWritten.addAll(invalidation.keys());
    }
    if (!everythingWritten && keysWritten.isEmpty()) return backend().forwardAll(requests);
    // The run's writes are dropped together, before any is sent and again after: one message to the
    // cache each time, not one a write.
    CommandTable.Invalidation written = everythingWritten
        ? CommandTable.Invalidation.EVERYTHING : new CommandTable.Invalidation(false, keysWritten);
    forwarding.cache().invalidate(written);
    return backend().forwardAll(requests).thenApply(answer -> {
      forwarding.cache().invalidate(written);
      return answer;
    });
  }

  private CompletableFuture<ByteString> forward(RespRequest request) {
    if (!auth.allows(session, request)) return CompletableFuture.completedFuture(RespAuth.NOAUTH);
    if (refusedTransaction) return answeredInRefusedTransaction(request);
    CommandTable.Route route = forwarding.table().route(request);
    if (route == CommandTable.Route.REFUSED) return CompletableFuture.completedFuture(Refusals.refused(request));
    if (route == CommandTable.Route.NOT_IN_CLUSTER) {
      // What it queues must not run outside a transaction.
      if (CommandTable.effect(request) == CommandTable.Effect.BEGINS_TRANSACTION) refusedTransaction = true;
      return CompletableFuture.completedFuture(Refusals.notInCluster(request));
    }
    if (route == CommandTable.Route.INFO) {
      return backend().forward(request)
          .thenCombine(cache.stats(), (info, stats) -> commands.withProxySection(info, stats, session));
    }
    CommandTable.Invalidation invalidation = forwarding.table().invalidation(request);
    if (!invalidation.everything()) tracker.wrote(invalidation.keys());
    forwarding.cache().invalidate(invalidation);
    CompletableFuture<ByteString> reply = untrackedRead(request, backend().forward(request));
    if (CommandTable.changesUsers(request)) return afterUsersReadAgain(reply);
    if (invalidation.isNone()) return reply;
    // Again once Redis has run it: a fetch sent before the write may have cached the old value.
    return reply.thenApply(written -> {
      forwarding.cache().invalidate(invalidation);
      return written;
    });
  }

  // A change to Redis's users counts from its reply on: every client's next command is decided by
  // the rules read after it (a client's test that sets a password and clears it again, then connects,
  // is not refused by rules a poll old). The reply stays on the connection's loop.
  private CompletableFuture<ByteString> afterUsersReadAgain(CompletableFuture<ByteString> reply) {
    return reply.thenCompose(answer -> auth.usersReadAgain().toCompletableFuture().thenApplyAsync(read -> answer, loop));
  }

  // A tracking client's read answered by Redis on a shared connection, which Redis does not track:
  // the client is told its keys changed right after the reply, so its own cache never keeps them.
  private CompletableFuture<ByteString> untrackedRead(RespRequest request, CompletableFuture<ByteString> reply) {
    if (!tracker.on()) return reply;
    CommandTable.Invalidation read = forwarding.table().reads(request);
    if (read.isNone()) return reply;
    return reply.thenApply(answer -> {
      tracker.readUnfollowed(read.everything() ? Optional.empty() : Optional.of(read.keys()));
      return answer;
    });
  }

  // Read when the request goes out: a HELLO or AUTH before it has been answered by then.
  private Backend backend() {
    return chosen.of(auth.login(session), session.resp3());
  }

  /**
   * AUTH, or HELLO with AUTH, past the proxy's gate: Redis checks the credentials, on the connection
   * of the user they name, and its answer is the client's (HELLO's is the proxy's, once Redis said
   * OK). Accepted, the session acts as that user from its next command on.
   */
  public CompletableFuture<ByteString> logIn(RespRequest request) {
    if (request.is("auth")) {
      if (request.size() != 2 && request.size() != 3) return backend().forward(request); // Redis's own arity error
      RedisLogin login = RedisLogin.of(request.size() == 3 ? Optional.of(request.arg(1)) : Optional.empty(),
          request.arg(request.size() - 1));
      return backends.of(login, false).forward(request).thenApply(reply -> {
        accepted(login, reply);
        return reply;
      });
    }
    HelloRequest hello = HelloRequest.parse(request);
    if (hello.error().isPresent()) return CompletableFuture.completedFuture(new RespWriter().error(hello.error().get()).result());
    HelloRequest.Credentials credentials = hello.credentials().orElseThrow();
    RedisLogin login = RedisLogin.of(Optional.of(credentials.user()), credentials.password());
    RespRequest auth = new RespRequest(List.of(AUTH, credentials.user(), credentials.password()));
    return backends.of(login, false).forward(auth).thenApply(reply -> accepted(login, reply)
        ? commands.answerAtOnce(session, new RespRequest(hello.withoutCredentials()))
        : reply);
  }

  private boolean accepted(RedisLogin login, ByteString reply) {
    if (!reply.isEmpty() && reply.apply(0) == '+') {
      auth.loggedIn(session, login);
      return true;
    }
    if (reply.take(WRONGPASS.size()).equals(WRONGPASS)) auth.recordFailure();
    backends.refused(login);
    return false;
  }

  private CompletableFuture<ByteString> answeredInRefusedTransaction(RespRequest request) {
    return CompletableFuture.completedFuture(switch (CommandTable.effect(request)) {
      case RUNS_TRANSACTION -> {
        refusedTransaction = false;
        yield Refusals.EXECABORT;
      }
      case DISCARDS_TRANSACTION -> {
        refusedTransaction = false;
        yield OK;
      }
      default -> Refusals.inRefusedTransaction();
    });
  }
}
