package com.redisproxy.http;

import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per HTTP request on the logger {@code redis-proxy.access}: method, path, status, cache
 * outcome and time taken. The query (the key) is left out, and values never appear.
 */
final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("redis-proxy.access");

  private AccessLog() {}

  static Route around(Route inner) {
    return Directives.extractRequest(request -> {
      long started = System.nanoTime();
      return Directives.mapResponse(response -> {
        log.info("{} {} {} {} {}us", request.method().name(), request.getUri().path(), response.status().intValue(),
            response.getHeader("X-Cache").map(header -> header.value()).orElse("-"),
            (System.nanoTime() - started) / 1000);
        return response;
      }, () -> inner);
    });
  }
}
