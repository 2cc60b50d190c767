package com.redisproxy.http;

import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.GetResult;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/** HTTP to CacheActor and back: {@code GET /proxy?key=K} and {@code GET /health}. */
public final class ProxyRoutes extends AllDirectives {

  private static final HttpHeader CACHE_HIT = RawHeader.create("X-Cache", "HIT");
  private static final HttpHeader CACHE_MISS = RawHeader.create("X-Cache", "MISS");
  private static final HttpHeader ALLOW_GET = RawHeader.create("Allow", "GET");
  private static final HttpHeader RETRY_AFTER = RawHeader.create("Retry-After", "1");

  private final ActorRef<CacheActor.Command> cache;
  private final Scheduler scheduler;
  private final Duration askTimeout;

  public ProxyRoutes(ActorRef<CacheActor.Command> cache, Scheduler scheduler, Duration askTimeout) {
    this.cache = cache;
    this.scheduler = scheduler;
    this.askTimeout = askTimeout;
  }

  public Route routes() {
    return concat(
        path("health", () -> getOnly(() -> complete(StatusCodes.OK, JsonBodies.status("ok")))),
        pathPrefix("proxy", () -> pathEndOrSingleSlash(() -> getOnly(() -> parameterOptional("key", this::proxyGet)))),
        complete(StatusCodes.NOT_FOUND, JsonBodies.error("not_found", "no such endpoint; try GET /proxy?key=K")));
  }

  private Route getOnly(Supplier<Route> inner) {
    return concat(
        get(inner),
        extractMethod(method -> complete(HttpResponse.create()
            .withStatus(StatusCodes.METHOD_NOT_ALLOWED)
            .addHeader(ALLOW_GET)
            .withEntity(JsonBodies.error("method_not_allowed", method.name() + " is not supported; use GET")))));
  }

  private Route proxyGet(Optional<String> key) {
    if (key.isEmpty() || key.get().isEmpty()) {
      return complete(StatusCodes.BAD_REQUEST, JsonBodies.error("bad_request", "query parameter 'key' is required"));
    }
    CompletionStage<GetResult> answer =
        AskPattern.ask(cache, replyTo -> new CacheActor.Get(ByteString.fromString(key.get()), replyTo), askTimeout, scheduler);
    return completeWithFuture(answer.handle((result, failure) ->
        failure == null ? toResponse(result) : overloaded("the cache did not answer within " + askTimeout.toMillis() + "ms")));
  }

  private static HttpResponse toResponse(GetResult result) {
    if (result instanceof GetResult.Found found) {
      return HttpResponse.create()
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, found.value()))
          .addHeader(found.fromCache() ? CACHE_HIT : CACHE_MISS);
    }
    if (result instanceof GetResult.Failed failed) return toResponse(failed);
    return error(StatusCodes.NOT_FOUND, "not_found", "no such key in Redis");
  }

  private static HttpResponse toResponse(GetResult.Failed failed) {
    return switch (failed.reason()) {
      case REDIS_UNAVAILABLE -> error(StatusCodes.BAD_GATEWAY, "redis_unavailable", failed.message());
      case REDIS_ERROR -> error(StatusCodes.BAD_GATEWAY, "redis_error", failed.message());
      case REDIS_TIMEOUT -> error(StatusCodes.GATEWAY_TIMEOUT, "redis_timeout", failed.message());
      case OVERLOADED -> overloaded(failed.message());
    };
  }

  private static HttpResponse overloaded(String message) {
    return error(StatusCodes.SERVICE_UNAVAILABLE, "overloaded", message).addHeader(RETRY_AFTER);
  }

  private static HttpResponse error(StatusCode status, String error, String message) {
    return HttpResponse.create().withStatus(status).withEntity(JsonBodies.error(error, message));
  }
}
