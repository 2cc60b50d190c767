package com.redisproxy.http;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.scaladsl.model.HttpHeader;

/**
 * A request header's value by its name in lower case. pekko-http's {@code getHeader(String)}
 * lower-cases the name it is given on every call, a new String each time, on every request.
 */
final class RequestHeaders {
  private RequestHeaders() {}

  /** The first header named {@code lowerCaseName}'s value, as sent. */
  static Optional<String> value(HttpRequest request, String lowerCaseName) {
    scala.collection.Iterator<HttpHeader> headers = ((org.apache.pekko.http.scaladsl.model.HttpRequest) request)
        .headers().iterator();
    while (headers.hasNext()) {
      HttpHeader header = headers.next();
      if (header.is(lowerCaseName)) return Optional.of(header.value());
    }
    return Optional.empty();
  }
}
