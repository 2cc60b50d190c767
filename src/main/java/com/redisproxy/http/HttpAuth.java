package com.redisproxy.http;

import com.redisproxy.auth.Password;
import com.redisproxy.auth.acl.AclRules;
import com.redisproxy.auth.acl.ProxyIdentity;
import com.redisproxy.metrics.ProxyMetrics;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * Who an HTTP request is, as the RESP port decides it. With the proxy's own password set
 * (PROXY_PASSWORD), a request must carry it and then reads as the proxy's own Redis user.
 * Without it, {@code Authorization: Basic user:pass} (or {@code Bearer pass}, the default user)
 * names one of Redis's users, checked against Redis's own password digests (ACL LIST), and a
 * request without one is Redis's default user; wrong credentials get 401, a read Redis would
 * refuse that user (-NOPERM) 403, and while Redis's rules are not known, 503.
 */
final class HttpAuth extends AllDirectives {
  private static final HttpResponse UNAUTHORIZED = HttpResponse.create()
      .withStatus(StatusCodes.UNAUTHORIZED)
      .withHeaders(List.of(
          RawHeader.create("WWW-Authenticate", "Bearer realm=\"redis-proxy\""),
          RawHeader.create("WWW-Authenticate", "Basic realm=\"redis-proxy\", charset=\"UTF-8\"")))
      .withEntity(JsonBodies.error("unauthorized",
          "send Authorization: Bearer <password>, or Basic with a Redis user and its password"));
  private static final HttpResponse FORBIDDEN = ReadResponses.error(StatusCodes.FORBIDDEN, "forbidden",
      "NOPERM: Redis would refuse this user GET on this key");
  private static final HttpResponse RIGHTS_UNKNOWN = ReadResponses.error(StatusCodes.SERVICE_UNAVAILABLE,
      "rights_unknown", "the proxy cannot tell now whether Redis would let this user read this key (Redis's users "
          + "cannot be read, or the user's rules use selectors); try again, or read it from Redis");

  /** Who a request reads as; empty: it is refused with {@code refusal}. */
  record Caller(Optional<String> user, HttpResponse refusal) {
    static Caller as(String user) {
      return new Caller(Optional.of(user), null);
    }

    static Caller refused(HttpResponse refusal) {
      return new Caller(Optional.empty(), refusal);
    }
  }

  private final Optional<Password> password;
  private final ProxyMetrics.AuthFailures failures;
  private final ProxyIdentity identity;
  private final boolean anonymousRefused;

  HttpAuth(Optional<Password> password, ProxyMetrics.AuthFailures failures) {
    this(password, failures, ProxyIdentity.notFollowed(), false);
  }

  /** @param anonymousRefused protected mode serves beyond loopback only because Redis requires authentication */
  HttpAuth(Optional<Password> password, ProxyMetrics.AuthFailures failures, ProxyIdentity identity,
      boolean anonymousRefused) {
    this.password = password;
    this.failures = failures;
    this.identity = identity;
    this.anonymousRefused = anonymousRefused;
  }

  /** Whether {@code request} may pass the gate: no password is set, or it carries the right one. Counts nothing. */
  boolean allows(HttpRequest request) {
    return password.isEmpty() || RequestHeaders.value(request, "authorization")
        .flatMap(AuthorizationHeader::password)
        .filter(given -> password.get().matches(given))
        .isPresent();
  }

  /** {@code inner} for a request that passes the gate, 401 for any other. */
  Route require(Route inner) {
    if (password.isEmpty()) return inner;
    return optionalHeaderValueByName("Authorization", header -> {
      if (header.isEmpty()) return complete(UNAUTHORIZED); // a first request without credentials is no guess
      if (AuthorizationHeader.password(header.get()).filter(given -> password.get().matches(given)).isPresent()) {
        return inner;
      }
      failures.record();
      return complete(UNAUTHORIZED);
    });
  }

  /** The answer when {@code request} may not read {@code key}; empty when it may. Counts wrong credentials. */
  Optional<HttpResponse> refusal(HttpRequest request, String key) {
    Caller caller = caller(request);
    if (caller.user().isEmpty()) return Optional.of(caller.refusal());
    String user = caller.user().get();
    if (!identity.followed() || user.equals(identity.user())) return Optional.empty(); // the cache reads as this user
    return switch (identity.permission().check(user, "get", List.of(ByteString.fromString(key)))) {
      case ALLOWED -> Optional.empty();
      case DENIED -> Optional.of(FORBIDDEN);
      case UNSURE -> Optional.of(RIGHTS_UNKNOWN);
    };
  }

  private Caller caller(HttpRequest request) {
    if (password.isPresent() || !identity.followed()) return allows(request) ? Caller.as(identity.user()) : Caller.refused(UNAUTHORIZED);
    Optional<String> header = RequestHeaders.value(request, "authorization");
    AclRules rules = identity.permission().rules();
    if (header.isEmpty()) {
      if (anonymousRefused) return Caller.refused(UNAUTHORIZED);
      Optional<Boolean> needsPassword = rules.defaultNeedsPassword();
      // Unknown rules: a proxy let in without a password is evidence enough that the default user needs none.
      boolean open = needsPassword.map(needs -> !needs).orElse(identity.password().isEmpty() && identity.user().equals("default"));
      return open ? Caller.as("default") : Caller.refused(UNAUTHORIZED);
    }
    Optional<AuthorizationHeader.Credentials> given = AuthorizationHeader.credentials(header.get());
    if (given.isEmpty()) {
      failures.record();
      return Caller.refused(UNAUTHORIZED);
    }
    String user = given.get().user();
    byte[] secret = given.get().password();
    if (identity.isProxys(user, secret)) return Caller.as(user);
    if (!rules.known()) return Caller.refused(RIGHTS_UNKNOWN);
    if (rules.user(user).filter(found -> found.accepts(secret)).isPresent()) return Caller.as(user);
    failures.record();
    return Caller.refused(UNAUTHORIZED);
  }
}
