package com.redisproxy.resp;

import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * The handlers of the commands the proxy answers itself ({@link CommandTable} names them and
 * decides when they run): the handshake, AUTH, and what concerns the client's connection to the
 * proxy rather than Redis.
 */
final class LocalCommands {
  private static final int MAX_ARG_SHOWN = 128;

  private LocalCommands() {}

  static ByteString answer(RespSession session, RespRequest request, ServerInfo server, RespAuth auth) {
    RespWriter out = new RespWriter();
    Optional<CommandTable.Handler> handler = CommandTable.local(request.name());
    if (handler.isPresent()) handler.get().answer(session, request, auth, out);
    else unknown(out, request);
    return out.result();
  }

  static void echo(RespSession session, RespRequest request, RespAuth auth, RespWriter out) {
    if (request.size() != 2) wrongArity(session, request, auth, out);
    else out.bulk(request.arg(1));
  }

  static void ping(RespSession session, RespRequest request, RespAuth auth, RespWriter out) {
    if (request.size() == 1) out.simple("PONG");
    else if (request.size() == 2) out.bulk(request.arg(1));
    else wrongArity(session, request, auth, out);
  }

  static void quit(RespSession session, RespRequest request, RespAuth auth, RespWriter out) {
    out.simple("OK");
  }

  static void auth(RespSession session, RespRequest request, RespAuth auth, RespWriter out) {
    out.raw(auth.auth(session, request));
  }

  // SELECT 0: any other database pins the connection.
  static void select(RespSession session, RespRequest request, RespAuth auth, RespWriter out) {
    if (request.size() != 2) wrongArity(session, request, auth, out);
    else out.simple("OK");
  }

  /**
   * As Redis: the version first, then every option, then AUTH; SETNAME only once authenticated.
   * HELLO 3 switches the session to RESP3 (its forwarded commands go to the loop's RESP3 link) and
   * is answered in it; without a version the session keeps its protocol.
   */
  static void hello(RespSession session, RespRequest request, RespAuth auth, RespWriter out) {
    boolean resp3 = session.resp3;
    if (request.size() >= 2) {
      String version = request.arg(1).utf8String();
      if (!version.equals("2") && !version.equals("3")) {
        if (version.matches("\\d+")) out.error("NOPROTO unsupported protocol version");
        else out.error("ERR Protocol version is not an integer or out of range");
        return;
      }
      resp3 = version.equals("3");
    }
    ByteString name = null;
    int authAt = 0;
    for (int i = 2; i < request.size(); i++) {
      String option = request.arg(i).utf8String().toUpperCase(Locale.ROOT);
      if (option.equals("SETNAME") && i + 1 < request.size()) {
        name = request.arg(++i);
      } else if (option.equals("AUTH") && i + 2 < request.size()) {
        authAt = i;
        i += 2;
      } else {
        out.error("ERR Syntax error in HELLO option '" + option + "'");
        return;
      }
    }
    if (authAt > 0) {
      Optional<ByteString> refused = auth.authenticate(session, request.arg(authAt + 1), request.arg(authAt + 2));
      if (refused.isPresent()) {
        out.raw(refused.get());
        return;
      }
    }
    if (!session.authenticated) {
      out.raw(RespAuth.HELLO_NOAUTH);
      return;
    }
    if (name != null) session.name = name;
    session.resp3 = resp3;
    // Redis's fields, which clients read: Lettuce proto, id, version, mode and role; redis-py proto.
    if (resp3) out.mapHeader(7);
    else out.arrayHeader(14);
    out.bulk("server").bulk("redis")
        .bulk("version").bulk(ServerInfo.REDIS_VERSION)
        .bulk("proto").integer(resp3 ? 3 : 2)
        .bulk("id").integer(session.id)
        .bulk("mode").bulk("standalone")
        .bulk("role").bulk("master")
        .bulk("modules").arrayHeader(0);
  }

  static void client(RespSession session, RespRequest request, RespAuth auth, RespWriter out) {
    if (request.size() < 2) {
      wrongArity(session, request, auth, out);
      return;
    }
    switch (request.arg(1).utf8String().toLowerCase(Locale.ROOT)) {
      case "setname" -> {
        if (request.size() != 3) {
          out.error("ERR wrong number of arguments for 'client|setname' command");
        } else if (request.arg(2).contains((byte) ' ') || request.arg(2).contains((byte) '\n')) {
          out.error("ERR Client names cannot contain spaces, newlines or special characters.");
        } else {
          session.name = request.arg(2).isEmpty() ? null : request.arg(2);
          out.simple("OK");
        }
      }
      case "getname" -> {
        if (session.name == null) out.nil(session.resp3);
        else out.bulk(session.name);
      }
      case "setinfo" -> out.simple("OK");
      case "id" -> out.integer(session.id);
      default -> unknownSubcommand(out, request);
    }
  }

  static void wrongArity(RespSession session, RespRequest request, RespAuth auth, RespWriter out) {
    out.error("ERR wrong number of arguments for '" + request.name() + "' command");
  }

  private static void unknownSubcommand(RespWriter out, RespRequest request) {
    out.error("ERR unknown subcommand '" + shown(request.arg(1)) + "'. Try "
        + request.arg(0).utf8String().toUpperCase(Locale.ROOT) + " HELP.");
  }

  /** Redis's own words, so that clients and people recognise them. */
  private static void unknown(RespWriter out, RespRequest request) {
    StringBuilder message = new StringBuilder("ERR unknown command '")
        .append(shown(request.arg(0))).append("', with args beginning with: ");
    for (int i = 1; i < request.size(); i++) message.append('\'').append(shown(request.arg(i))).append("' ");
    out.error(message.toString());
  }

  private static String shown(ByteString arg) {
    String text = arg.take(MAX_ARG_SHOWN).utf8String();
    return text.replaceAll("[\\p{Cntrl}]", " ");
  }
}
