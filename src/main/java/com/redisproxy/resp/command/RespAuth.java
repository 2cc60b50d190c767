package com.redisproxy.resp.command;

import com.redisproxy.auth.Password;
import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * Redis's requirepass semantics: one user, {@code default}, whose password is the proxy's. Until
 * a session authenticates, only AUTH, HELLO and QUIT are answered; the replies are Redis's own
 * words. A failed attempt leaves the session as it was and the connection open.
 */
public final class RespAuth {
  public static final ByteString NOAUTH = error("NOAUTH Authentication required.");
  static final ByteString WRONGPASS = error("WRONGPASS invalid username-password pair or user is disabled.");
  public static final ByteString HELLO_NOAUTH = error("NOAUTH HELLO must be called with the client already authenticated, "
      + "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select "
      + "the RESP protocol version at the same time");
  private static final ByteString NO_PASSWORD_SET = error("ERR AUTH <password> called without any password "
      + "configured for the default user. Are you sure your configuration is correct?");
  private static final ByteString OK = new RespWriter().simple("OK").result();
  private static final ByteString DEFAULT_USER = ByteString.fromString("default");

  private final Optional<Password> password;
  private final ProxyMetrics.AuthFailures failures;

  public RespAuth(Optional<Password> password, ProxyMetrics.AuthFailures failures) {
    this.password = password;
    this.failures = failures;
  }

  public RespSession newSession(long id) {
    return new RespSession(id, password.isEmpty());
  }

  public boolean allows(RespSession session, RespRequest request) {
    return session.authenticated() || CommandTable.answeredBeforeAuth(request);
  }

  /** {@code AUTH <password>} or {@code AUTH <user> <password>}. */
  ByteString auth(RespSession session, RespRequest request) {
    return switch (request.size()) {
      case 1 -> error("ERR wrong number of arguments for 'auth' command");
      // Without a password the default user takes any in the two-argument form, as in Redis.
      case 2 -> password.isEmpty() ? NO_PASSWORD_SET : authenticate(session, DEFAULT_USER, request.arg(1)).orElse(OK);
      case 3 -> authenticate(session, request.arg(1), request.arg(2)).orElse(OK);
      default -> error("ERR syntax error");
    };
  }

  /** Empty when the session is now authenticated; otherwise the error to answer. */
  public Optional<ByteString> authenticate(RespSession session, ByteString user, ByteString given) {
    boolean passwordMatches = password.map(expected -> expected.matches(given.toArray())).orElse(true);
    if (passwordMatches && user.equals(DEFAULT_USER)) {
      session.authenticate();
      return Optional.empty();
    }
    failures.record();
    return Optional.of(WRONGPASS);
  }

  private static ByteString error(String message) {
    return new RespWriter().error(message).result();
  }
}
