package com.redisproxy.resp.command;

import com.redisproxy.resp.codec.RespRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * {@code HELLO [protover [AUTH username password] [SETNAME clientname]]}, read once as Redis reads
 * it: the version first, then options in any order. Both the proxy's own answer and a pinned
 * session (which authenticates here and sends Redis the rest) read HELLO through this.
 */
public record HelloRequest(Optional<Integer> version, Optional<ByteString> name, Optional<Credentials> credentials,
    Optional<String> error, List<ByteString> withoutCredentials) {

  public record Credentials(ByteString user, ByteString password) {}

  public static HelloRequest parse(RespRequest request) {
    Optional<Integer> version = Optional.empty();
    List<ByteString> forRedis = new ArrayList<>(request.args().subList(0, Math.min(2, request.size())));
    if (request.size() >= 2) {
      String text = request.arg(1).utf8String();
      if (!text.equals("2") && !text.equals("3")) {
        return failed(text.matches("\\d+") ? "NOPROTO unsupported protocol version"
            : "ERR Protocol version is not an integer or out of range");
      }
      version = Optional.of(Integer.parseInt(text));
    }
    ByteString name = null;
    Credentials credentials = null;
    for (int i = 2; i < request.size(); i++) {
      String option = request.arg(i).utf8String().toUpperCase(Locale.ROOT);
      if (option.equals("SETNAME") && i + 1 < request.size()) {
        forRedis.add(request.arg(i));
        name = request.arg(++i);
        forRedis.add(name);
      } else if (option.equals("AUTH") && i + 2 < request.size()) {
        credentials = new Credentials(request.arg(i + 1), request.arg(i + 2));
        i += 2;
      } else {
        return failed("ERR Syntax error in HELLO option '" + option + "'");
      }
    }
    return new HelloRequest(version, Optional.ofNullable(name), Optional.ofNullable(credentials), Optional.empty(),
        List.copyOf(forRedis));
  }

  /**
   * {@code request} with every {@code AUTH user password} after the version taken out, even one
   * that does not parse: the proxy's credentials never go to Redis.
   */
  public static List<ByteString> withEveryAuthRemoved(RespRequest request) {
    List<ByteString> kept = new ArrayList<>(request.size());
    for (int i = 0; i < request.size(); i++) {
      if (i >= 2 && request.arg(i).utf8String().equalsIgnoreCase("AUTH")) {
        i += 2;
        continue;
      }
      kept.add(request.arg(i));
    }
    return kept;
  }

  private static HelloRequest failed(String message) {
    return new HelloRequest(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(message), List.of());
  }
}
