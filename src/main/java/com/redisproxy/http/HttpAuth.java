package com.redisproxy.http;

import com.redisproxy.auth.Password;
import com.redisproxy.metrics.ProxyMetrics;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Lets a request through to a route only with the proxy's password; otherwise 401 and both challenges. */
final class HttpAuth extends AllDirectives {
  private static final HttpResponse UNAUTHORIZED = HttpResponse.create()
      .withStatus(StatusCodes.UNAUTHORIZED)
      .withHeaders(List.of(
          RawHeader.create("WWW-Authenticate", "Bearer realm=\"redis-proxy\""),
          RawHeader.create("WWW-Authenticate", "Basic realm=\"redis-proxy\", charset=\"UTF-8\"")))
      .withEntity(JsonBodies.error("unauthorized",
          "send Authorization: Bearer <password>, or Basic with the user default"));

  private final Optional<Password> password;
  private final ProxyMetrics.AuthFailures failures;

  HttpAuth(Optional<Password> password, ProxyMetrics.AuthFailures failures) {
    this.password = password;
    this.failures = failures;
  }

  /** Whether {@code request} may pass: no password is set, or it carries the right one. Counts nothing. */
  boolean allows(HttpRequest request) {
    return password.isEmpty() || request.getHeader("Authorization")
        .flatMap(header -> AuthorizationHeader.password(header.value()))
        .filter(given -> password.get().matches(given))
        .isPresent();
  }

  /** {@code inner} for a request that carries the password, 401 for any other. */
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
}
