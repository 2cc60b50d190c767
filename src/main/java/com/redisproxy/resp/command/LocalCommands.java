package com.redisproxy.resp.command;

import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.tracking.Tracker;
import com.redisproxy.resp.tracking.TrackingRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.pekko.util.ByteString;

/**
 * The handlers of the commands the proxy answers itself ({@link CommandTable} names them and
 * decides when they run): the cached reads, the handshake, AUTH, INFO proxy, and what concerns the
 * client's connection to the proxy rather than Redis.
 */
public final class LocalCommands {
  private static final int MAX_ARG_SHOWN = 128;

  private LocalCommands() {}

  /** The answer to a command whose answer needs no cache (AUTH in a pinned session, tests). */
  public static ByteString answer(RespSession session, RespRequest request, RespAuth auth) {
    return LocalCall.immediate(session, auth).answer(request).orElse(ByteString.emptyByteString());
  }

  static void get(LocalCall call) {
    if (call.request().size() != 2) wrongArity(call);
    else call.readCached(call.request().arg(1));
  }

  static void mget(LocalCall call) {
    RespRequest request = call.request();
    if (request.size() < 2) wrongArity(call);
    else call.readCached(request.args().subList(1, request.size()));
  }

  static void proxyInfo(LocalCall call) {
    call.proxyInfo();
  }

  static void echo(LocalCall call) {
    if (call.request().size() != 2) wrongArity(call);
    else call.out().bulk(call.request().arg(1));
  }

  static void ping(LocalCall call) {
    RespRequest request = call.request();
    if (request.size() == 1) call.out().simple("PONG");
    else if (request.size() == 2) call.out().bulk(request.arg(1));
    else wrongArity(call);
  }

  // SYNC, PSYNC and REPLCONF: Redis would answer a replica's handshake with its whole dataset and
  // then its replication stream, which on a shared connection would fail every other client's
  // commands behind it.
  static void replicationRefused(LocalCall call) {
    call.out().error("ERR " + call.request().name().toUpperCase(Locale.ROOT)
        + " is not supported through the proxy: connect a replica to Redis itself");
  }

  // The table marks QUIT as closing: the connection sees to that.
  static void quit(LocalCall call) {
    call.out().simple("OK");
  }

  static void auth(LocalCall call) {
    call.out().raw(call.auth().auth(call.session(), call.request()));
  }

  // SELECT 0: any other database pins the connection.
  static void select(LocalCall call) {
    if (call.request().size() != 2) wrongArity(call);
    else call.out().simple("OK");
  }

  /**
   * As Redis: the version first, then every option, then AUTH; SETNAME only once authenticated.
   * HELLO 3 switches the session to RESP3 (its forwarded commands go to the loop's RESP3 link) and
   * is answered in it; without a version the session keeps its protocol.
   */
  static void hello(LocalCall call) {
    RespSession session = call.session();
    RespWriter out = call.out();
    HelloRequest hello = HelloRequest.parse(call.request());
    if (hello.error().isPresent()) {
      out.error(hello.error().get());
      return;
    }
    boolean resp3 = hello.version().map(version -> version == 3).orElse(session.resp3());
    if (hello.credentials().isPresent()) {
      HelloRequest.Credentials credentials = hello.credentials().get();
      Optional<ByteString> refused = call.auth().helloAuth(session, credentials.user(), credentials.password());
      if (refused.isPresent()) {
        out.raw(refused.get());
        return;
      }
    }
    if (!session.authenticated() || !call.auth().mayRunCommands(session)) {
      out.raw(RespAuth.HELLO_NOAUTH);
      return;
    }
    hello.name().ifPresent(session::rename);
    session.speak(resp3 ? 3 : 2);
    // Redis's fields, which clients read: Lettuce proto, id, version, mode and role; redis-py proto.
    if (resp3) out.mapHeader(7);
    else out.arrayHeader(14);
    out.bulk("server").bulk("redis")
        .bulk("version").bulk(call.redisVersion())
        .bulk("proto").integer(resp3 ? 3 : 2)
        .bulk("id").integer(session.id())
        .bulk("mode").bulk("standalone")
        .bulk("role").bulk("master")
        .bulk("modules").arrayHeader(0);
  }

  static void clientSetname(LocalCall call) {
    RespRequest request = call.request();
    if (request.size() != 3) {
      call.out().error("ERR wrong number of arguments for 'client|setname' command");
    } else if (request.arg(2).contains((byte) ' ') || request.arg(2).contains((byte) '\n')) {
      call.out().error("ERR Client names cannot contain spaces, newlines or special characters.");
    } else {
      call.session().rename(request.arg(2));
      call.out().simple("OK");
    }
  }

  static void clientGetname(LocalCall call) {
    RespSession session = call.session();
    if (session.name().isEmpty()) call.out().nil(session.resp3());
    else call.out().bulk(session.name().get());
  }

  static void clientSetinfo(LocalCall call) {
    call.out().simple("OK");
  }

  /** CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id ...]: the proxy's own clients. */
  static void clientList(LocalCall call) {
    RespRequest request = call.request();
    Predicate<Clients.Client> shown = client -> true;
    for (int i = 2; i < request.size(); i++) {
      String option = request.arg(i).utf8String().toLowerCase(Locale.ROOT);
      if (option.equals("type") && i + 1 < request.size()) {
        Optional<Boolean> normal = ofType(request.arg(++i).utf8String());
        if (normal.isEmpty()) {
          call.out().error("ERR Unknown client type '" + request.arg(i).utf8String() + "'");
          return;
        }
        boolean any = normal.get();
        shown = shown.and(client -> any);
      } else if (option.equals("id") && i + 1 < request.size()) {
        Set<Long> ids = new HashSet<>();
        for (i = i + 1; i < request.size(); i++) {
          Optional<Long> id = positiveId(request.arg(i).utf8String());
          if (id.isEmpty()) {
            call.out().error("ERR Invalid client ID");
            return;
          }
          ids.add(id.get());
        }
        shown = shown.and(client -> ids.contains(client.id()));
      } else {
        call.out().error("ERR syntax error");
        return;
      }
    }
    call.out().bulk(call.clients().list(shown));
  }

  static void clientInfo(LocalCall call) {
    call.out().bulk(call.clients().info(call.session().id()).orElse(""));
  }

  /**
   * CLIENT KILL addr:port (+OK, or "No such client") or CLIENT KILL with filters (ID, ADDR, LADDR,
   * USER, TYPE, SKIPME; the number killed), as Redis answers them, on the proxy's own clients.
   */
  static void clientKill(LocalCall call) {
    RespRequest request = call.request();
    long self = call.session().id();
    if (request.size() == 3) {
      String address = request.arg(2).utf8String();
      int killed = call.clients().kill(client -> client.address().equals(address), self);
      if (killed == 0) call.out().error("ERR No such client");
      else call.out().simple("OK");
      return;
    }
    if (request.size() < 4 || request.size() % 2 != 0) {
      call.out().error("ERR syntax error");
      return;
    }
    Predicate<Clients.Client> matching = client -> true;
    boolean skipMe = true;
    for (int i = 2; i < request.size(); i += 2) {
      String filter = request.arg(i).utf8String().toLowerCase(Locale.ROOT);
      String value = request.arg(i + 1).utf8String();
      switch (filter) {
        case "id" -> {
          Optional<Long> id = positiveId(value);
          if (id.isEmpty()) {
            call.out().error("ERR client-id should be greater than 0");
            return;
          }
          matching = matching.and(client -> client.id() == id.get());
        }
        case "addr" -> matching = matching.and(client -> client.address().equals(value));
        case "laddr" -> matching = matching.and(client -> client.localAddress().equals(value));
        case "user" -> matching = matching.and(client -> client.user().equals(value));
        case "type" -> {
          Optional<Boolean> normal = ofType(value);
          if (normal.isEmpty()) {
            call.out().error("ERR Unknown client type '" + value + "'");
            return;
          }
          boolean any = normal.get();
          matching = matching.and(client -> any);
        }
        case "skipme" -> {
          if (!value.equalsIgnoreCase("yes") && !value.equalsIgnoreCase("no")) {
            call.out().error("ERR syntax error");
            return;
          }
          skipMe = value.equalsIgnoreCase("yes");
        }
        default -> {
          call.out().error("ERR syntax error");
          return;
        }
      }
    }
    boolean skip = skipMe;
    call.out().integer(call.clients().kill(matching.and(client -> !(skip && client.id() == self)), self));
  }

  // Every client of the proxy is a normal one: TYPE normal matches them all, master, replica and
  // pubsub none (a subscriber is on a connection of its own to Redis); empty for an unknown type.
  private static Optional<Boolean> ofType(String type) {
    return switch (type.toLowerCase(Locale.ROOT)) {
      case "normal" -> Optional.of(true);
      case "master", "replica", "slave", "pubsub" -> Optional.of(false);
      default -> Optional.empty();
    };
  }

  private static Optional<Long> positiveId(String text) {
    try {
      long id = Long.parseLong(text);
      return id > 0 ? Optional.of(id) : Optional.empty();
    } catch (NumberFormatException notANumber) {
      return Optional.empty();
    }
  }

  /** CLIENT TRACKING ON|OFF [REDIRECT id] [NOLOOP], in Redis's default mode: the proxy tracks the client's reads. */
  static void clientTracking(LocalCall call) {
    Tracker tracker = call.tracker();
    if (!tracker.available()) {
      call.out().error("ERR client tracking is not done by the proxy here");
      return;
    }
    TrackingRequest.Parsed parsed = TrackingRequest.parse(call.request(), id -> call.clients().exists(id));
    if (parsed.error().isPresent()) {
      call.out().error(parsed.error().get());
      return;
    }
    tracker.turn(parsed.request().orElseThrow());
    call.out().simple("OK");
  }

  /** Only OPTIN and OPTOUT take CLIENT CACHING, and those modes are Redis's: Redis's refusals, in its order. */
  static void clientCaching(LocalCall call) {
    String option = call.request().arg(2).utf8String().toLowerCase(Locale.ROOT);
    if (!call.tracker().on()) {
      call.out().error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
    } else if (option.equals("yes")) {
      call.out().error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    } else if (option.equals("no")) {
      call.out().error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    } else {
      call.out().error("ERR syntax error");
    }
  }

  static void clientGetredir(LocalCall call) {
    Tracker tracker = call.tracker();
    call.out().integer(tracker.on() ? tracker.mode().redirect() : -1);
  }

  /** As Redis: flags (a set in RESP3), redirect (-1 when off), prefixes (none: BCAST is Redis's). */
  static void clientTrackinginfo(LocalCall call) {
    Tracker tracker = call.tracker();
    boolean resp3 = call.session().resp3();
    List<String> flags = new ArrayList<>();
    flags.add(tracker.on() ? "on" : "off");
    if (tracker.on() && tracker.mode().noLoop()) flags.add("noloop");
    if (tracker.on() && tracker.redirectBroken()) flags.add("broken_redirect");
    RespWriter out = call.out();
    if (resp3) out.mapHeader(3);
    else out.arrayHeader(6);
    out.bulk("flags");
    if (resp3) out.raw(ByteString.fromString("~" + flags.size() + "\r\n"));
    else out.arrayHeader(flags.size());
    for (String flag : flags) out.bulk(flag);
    out.bulk("redirect").integer(tracker.on() ? tracker.mode().redirect() : -1);
    out.bulk("prefixes").arrayHeader(0);
  }

  static void clientId(LocalCall call) {
    call.out().integer(call.session().id());
  }

  private static void wrongArity(LocalCall call) {
    call.out().error("ERR wrong number of arguments for '" + call.request().name() + "' command");
  }

  /** Redis's own words, so that clients and people recognise them. */
  static void unknown(LocalCall call) {
    RespRequest request = call.request();
    StringBuilder message = new StringBuilder("ERR unknown command '")
        .append(shown(request.arg(0))).append("', with args beginning with: ");
    for (int i = 1; i < request.size(); i++) message.append('\'').append(shown(request.arg(i))).append("' ");
    call.out().error(message.toString());
  }

  private static String shown(ByteString arg) {
    String text = arg.take(MAX_ARG_SHOWN).utf8String();
    return text.replaceAll("[\\p{Cntrl}]", " ");
  }
}
