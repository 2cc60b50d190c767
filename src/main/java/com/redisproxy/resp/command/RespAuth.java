package com.redisproxy.resp.command;

import com.redisproxy.auth.Password;
import com.redisproxy.auth.acl.AclUser;
import com.redisproxy.auth.acl.ReadPermission;
import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/**
 * Who a client is, in two layers. The proxy's own gate (PROXY_PASSWORD) has Redis's requirepass
 * semantics: one user, {@code default}, whose password is the proxy's; until a session has passed
 * it, only AUTH, HELLO and QUIT are answered, in Redis's own words. Past the gate (or with none),
 * the client is one of Redis's users: its AUTH goes to Redis (see {@link #goesToRedis}), and until
 * it has authenticated it is Redis's {@code default} user, refused with {@code -NOAUTH} while that
 * needs a password; a client that passed the gate acts as the proxy's own Redis user instead. In
 * front of a Redis Cluster every client acts as the proxy's user, and AUTH past the gate is
 * refused. A failed attempt leaves the session as it was and the connection open.
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
  private static final RespRequest PING = new RespRequest(List.of(ByteString.fromString("PING")));

  private static final ByteString NOT_IN_CLUSTER = error("ERR AUTH as one of Redis's users is not supported in "
      + "front of a Redis Cluster: every client acts as the proxy's own Redis user there");

  /**
   * Redis's users as the proxy follows them.
   *
   * @param followed false: every client acts as {@code proxyLogin}, and AUTH is the gate's alone
   * @param inCluster in front of a Redis Cluster (not followed): AUTH as a Redis user gets a clear refusal
   * @param proxyLogin who the proxy's own connections log in as
   */
  public record RedisUsers(boolean followed, boolean inCluster, RedisLogin proxyLogin, ReadPermission permission,
      boolean anonymousRefused) {
    /** The gate alone, as before Redis's users were followed (unit tests). */
    public static RedisUsers notFollowed() {
      return new RedisUsers(false, false, RedisLogin.DEFAULT_WITHOUT_PASSWORD, ReadPermission.unknown(), false);
    }

    public static RedisUsers inCluster(RedisLogin proxyLogin) {
      return new RedisUsers(false, true, proxyLogin, ReadPermission.unknown(), false);
    }

    /** @param anonymousRefused protected mode serves beyond loopback only because Redis requires authentication */
    public static RedisUsers followed(RedisLogin proxyLogin, ReadPermission permission, boolean anonymousRefused) {
      return new RedisUsers(true, false, proxyLogin, permission, anonymousRefused);
    }
  }

  private final Optional<Password> password;
  private final ProxyMetrics.AuthFailures failures;
  private final RedisUsers users;

  public RespAuth(Optional<Password> password, ProxyMetrics.AuthFailures failures) {
    this(password, failures, RedisUsers.notFollowed());
  }

  public RespAuth(Optional<Password> password, ProxyMetrics.AuthFailures failures, RedisUsers users) {
    this.password = password;
    this.failures = failures;
    this.users = users;
  }

  /** The Redis user the session's forwarded commands run as now. */
  public RedisLogin login(RespSession session) {
    if (!users.followed()) return users.proxyLogin();
    return session.login().orElse(password.isPresent() ? users.proxyLogin() : RedisLogin.DEFAULT_WITHOUT_PASSWORD);
  }

  /** Redis answered the session's AUTH as {@code login} with OK. */
  public void loggedIn(RespSession session, RedisLogin login) {
    session.loggedIn(login);
    users.permission().loggedInAs(login.userName());
  }

  /** Completes once Redis's users have been read again (see {@link ReadPermission#readAgain}). */
  public CompletionStage<Void> usersReadAgain() {
    return users.permission().readAgain();
  }

  /** Redis refused credentials a client gave (WRONGPASS). */
  public void recordFailure() {
    failures.record();
  }

  public RedisLogin proxyLogin() {
    return users.proxyLogin();
  }

  /** AUTH or HELLO ... AUTH past the gate: Redis checks it, and answers. */
  public boolean goesToRedis(RespSession session, RespRequest request) {
    return users.followed() && session.authenticated()
        && (request.is("auth") || (request.is("hello") && HelloRequest.parse(request).credentials().isPresent()));
  }

  /**
   * Whether the cached reply to {@code read} (GET, MGET: the keys follow the name) may be served to the session: its
   * user is the proxy's own (the cache read it as that user), or Redis's rules allow it for sure.
   */
  public boolean mayServeCached(RespSession session, RespRequest read) {
    RedisLogin login = login(session);
    if (login == users.proxyLogin()) return true;
    return session.rights(login, users.permission(), users.proxyLogin()).mayRun(read.name(), read.args(), 1)
        == AclUser.Decision.ALLOWED;
  }

  public RespSession newSession(long id) {
    return new RespSession(id, password.isEmpty());
  }

  public boolean allows(RespSession session, RespRequest request) {
    // The session's flags first: nearly every request is a logged-in session's, and the table's lookup costs more.
    return !mustAuthenticate(session) || CommandTable.answeredBeforeAuth(request);
  }

  /**
   * Redis's authRequired: the client has yet to pass the proxy's gate, or, Redis's default user
   * needing a password (or anonymous clients refused, see protected mode), to log in as a Redis
   * user; only AUTH, HELLO and QUIT run until then.
   */
  public boolean mustAuthenticate(RespSession session) {
    if (!session.authenticated()) return true;
    if (!users.followed() || login(session) != RedisLogin.DEFAULT_WITHOUT_PASSWORD) return false;
    // Served beyond loopback only because Redis requires authentication: so must the proxy, whatever Redis says later.
    return users.anonymousRefused() || users.permission().defaultNeedsPassword();
  }

  /** Whether the session may run commands other than AUTH, HELLO and QUIT (HELLO without AUTH asks it). */
  boolean mayRunCommands(RespSession session) {
    return allows(session, PING);
  }

  /** {@code AUTH <password>} or {@code AUTH <user> <password>}. */
  ByteString auth(RespSession session, RespRequest request) {
    if (users.inCluster() && (password.isEmpty() || request.size() == 3 && !request.arg(1).equals(DEFAULT_USER))) {
      return NOT_IN_CLUSTER;
    }
    return switch (request.size()) {
      case 1 -> error("ERR wrong number of arguments for 'auth' command");
      // Without a password the default user takes any in the two-argument form, as in Redis.
      case 2 -> password.isEmpty() ? NO_PASSWORD_SET : authenticate(session, DEFAULT_USER, request.arg(1)).orElse(OK);
      case 3 -> authenticate(session, request.arg(1), request.arg(2)).orElse(OK);
      default -> error("ERR syntax error");
    };
  }

  /**
   * HELLO's {@code AUTH <user> <password>}: as AUTH, in front of a Redis Cluster only the gate's
   * {@code default} user is taken; any other user (or any user at all without a gate) gets the clear
   * refusal, not WRONGPASS, which would say a real Redis user's password is wrong.
   */
  public Optional<ByteString> helloAuth(RespSession session, ByteString user, ByteString given) {
    if (users.inCluster() && (password.isEmpty() || !user.equals(DEFAULT_USER))) return Optional.of(NOT_IN_CLUSTER);
    return authenticate(session, user, given);
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
