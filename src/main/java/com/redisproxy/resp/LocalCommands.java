package com.redisproxy.resp;

import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * The commands the proxy answers itself (which ones, {@link CommandTable} decides): the handshake,
 * AUTH, and what concerns the client's connection to the proxy rather than Redis.
 */
final class LocalCommands {
  private static final int MAX_ARG_SHOWN = 128;

  private LocalCommands() {}

  static ByteString answer(RespSession session, RespRequest request, ServerInfo server, RespAuth auth) {
    RespWriter out = new RespWriter();
    String name = request.name();
    int argc = request.size();
    switch (name) {
      case "get", "mget" -> wrongArity(out, name); // well-formed ones go to the cache
      case "echo" -> {
        if (argc != 2) return wrongArity(out, name);
        out.bulk(request.arg(1));
      }
      case "ping" -> {
        if (argc == 1) out.simple("PONG");
        else if (argc == 2) out.bulk(request.arg(1));
        else wrongArity(out, name);
      }
      case "auth" -> out.raw(auth.auth(session, request));
      case "hello" -> hello(session, request, out, auth);
      case "client" -> client(session, request, out);
      case "select" -> {
        if (argc != 2) return wrongArity(out, name);
        out.simple("OK"); // SELECT 0: any other database pins the connection
      }
      default -> unknown(out, request);
    }
    return out.result();
  }

  /** As Redis: the version first, then every option, then AUTH; SETNAME only once authenticated. */
  private static void hello(RespSession session, RespRequest request, RespWriter out, RespAuth auth) {
    if (request.size() >= 2) {
      String version = request.arg(1).utf8String();
      if (!version.equals("2")) {
        if (version.matches("\\d+")) out.error("NOPROTO unsupported protocol version");
        else out.error("ERR Protocol version is not an integer or out of range");
        return;
      }
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
    out.arrayHeader(14)
        .bulk("server").bulk("redis")
        .bulk("version").bulk(ServerInfo.REDIS_VERSION)
        .bulk("proto").integer(2)
        .bulk("id").integer(session.id)
        .bulk("mode").bulk("standalone")
        .bulk("role").bulk("master")
        .bulk("modules").arrayHeader(0);
  }

  private static void client(RespSession session, RespRequest request, RespWriter out) {
    if (request.size() < 2) {
      wrongArity(out, "client");
      return;
    }
    switch (request.arg(1).utf8String().toLowerCase(Locale.ROOT)) {
      case "setname" -> {
        if (request.size() != 3) {
          wrongArity(out, "client|setname");
        } else if (request.arg(2).contains((byte) ' ') || request.arg(2).contains((byte) '\n')) {
          out.error("ERR Client names cannot contain spaces, newlines or special characters.");
        } else {
          session.name = request.arg(2).isEmpty() ? null : request.arg(2);
          out.simple("OK");
        }
      }
      case "getname" -> {
        if (session.name == null) out.nullBulk();
        else out.bulk(session.name);
      }
      case "setinfo" -> out.simple("OK");
      case "id" -> out.integer(session.id);
      default -> unknownSubcommand(out, request);
    }
  }

  private static ByteString wrongArity(RespWriter out, String name) {
    return out.error("ERR wrong number of arguments for '" + name + "' command").result();
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
