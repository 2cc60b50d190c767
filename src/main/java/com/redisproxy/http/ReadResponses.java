package com.redisproxy.http;

import com.redisproxy.cache.GetResult;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** A read's answer over HTTP: its status, {@code X-Cache} and body, raw or, when asked for, as JSON. */
final class ReadResponses {
  private static final HttpHeader RETRY_AFTER = RawHeader.create("Retry-After", "1");
  // Built once: a hit is then one copy of the response (its entity), not two.
  private static final HttpResponse HIT = HttpResponse.create().addHeader(RawHeader.create("X-Cache", "HIT"));
  private static final HttpResponse MISS = HttpResponse.create().addHeader(RawHeader.create("X-Cache", "MISS"));

  private ReadResponses() {}

  static HttpResponse of(String key, GetResult result, boolean json) {
    if (result instanceof GetResult.Found found) return found(key, found, json);
    if (result instanceof GetResult.Failed failed) return failed(failed);
    return error(StatusCodes.NOT_FOUND, "not_found", "no such key in Redis");
  }

  static HttpResponse error(StatusCode status, String error, String message) {
    return HttpResponse.create().withStatus(status).withEntity(JsonBodies.error(error, message));
  }

  private static HttpResponse found(String key, GetResult.Found found, boolean json) {
    HttpResponse hitOrMiss = found.fromCache() ? HIT : MISS;
    if (!json) return hitOrMiss.withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, found.value()));
    return JsonMode.body(key, found.value()).map(hitOrMiss::withEntity).orElseGet(() -> error(StatusCodes.NOT_ACCEPTABLE,
        "not_acceptable",
        "the value is binary, not UTF-8 text; request it without Accept: application/json for its raw bytes"));
  }

  private static HttpResponse failed(GetResult.Failed failed) {
    return switch (failed.reason()) {
      case REDIS_UNAVAILABLE -> error(StatusCodes.BAD_GATEWAY, "redis_unavailable", failed.message());
      case REDIS_ERROR, WRONG_TYPE -> error(StatusCodes.BAD_GATEWAY, "redis_error", failed.message());
      case REDIS_TIMEOUT -> error(StatusCodes.GATEWAY_TIMEOUT, "redis_timeout", failed.message());
      case OVERLOADED -> error(StatusCodes.SERVICE_UNAVAILABLE, "overloaded", failed.message()).addHeader(RETRY_AFTER);
    };
  }
}
