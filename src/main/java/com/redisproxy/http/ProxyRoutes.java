package com.redisproxy.http;

import com.redisproxy.auth.AuthSettings;
import com.redisproxy.auth.acl.ProxyIdentity;
import com.redisproxy.cache.client.CacheClient;
import com.redisproxy.cache.client.ReadBatcher;
import com.redisproxy.metrics.ExpositionFormat;
import com.redisproxy.metrics.ProxyMetrics;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.function.Function;

/**
 * HTTP to CacheActor and back: {@code GET /proxy?key=K}, and the operational endpoints
 * {@code /health}, {@code /ready}, {@code /metrics} and {@code /hotkeys}.
 */
public final class ProxyRoutes extends AllDirectives {

  private static final HttpHeader ALLOW_GET = RawHeader.create("Allow", "GET");

  private final CacheClient cache;
  private final ProxyMetrics metrics;
  private final ProxyMetrics.ReadOutcomes outcomes;
  private final BooleanSupplier redisReachable;
  private final boolean accessLog;
  private final HttpAuth auth;
  private final boolean metricsNeedPassword;
  private final ProxyReads reads;

  /** @param readsSentFrom where reads are gathered and sent to the cache: best the thread the cache runs on */
  public ProxyRoutes(CacheClient cache, Executor readsSentFrom, ProxyMetrics metrics, BooleanSupplier redisReachable,
      boolean accessLog, AuthSettings auth, ProxyIdentity identity) {
    this.cache = cache;
    this.metrics = metrics;
    this.outcomes = metrics.readOutcomes("http");
    this.redisReachable = redisReachable;
    this.accessLog = accessLog;
    this.auth = new HttpAuth(auth.password(), metrics.authFailures("http"), identity, auth.anonymousRefused());
    this.metricsNeedPassword = auth.metricsNeedPassword();
    // Answered on the thread the cache answers on: the stream takes it from there, with no hop of ours.
    this.reads = new ProxyReads(new ReadBatcher(cache, readsSentFrom, Runnable::run), outcomes, this.auth);
  }

  /** Every request: plain reads straight to the cache, the rest through the routes. */
  public Function<HttpRequest, CompletionStage<HttpResponse>> handler(ClassicActorSystemProvider system) {
    Function<HttpRequest, CompletionStage<HttpResponse>> routed = routes().handler(system);
    if (accessLog) return routed; // the log line is written by a directive
    return request -> {
      Optional<CompletionStage<HttpResponse>> answer = reads.plainRead(request);
      return answer.isPresent() ? answer.get() : routed.apply(request);
    };
  }

  public Route routes() {
    return accessLog ? AccessLog.around(endpoints()) : endpoints();
  }

  private Route endpoints() {
    return concat(
        pathPrefix("proxy", () -> pathEndOrSingleSlash(() -> auth.require(getOnly(() ->
            parameterOptional("key", key -> optionalHeaderValueByName("Accept", accept ->
                proxyGet(key, accept.filter(JsonMode::isRequested).isPresent()))))))),
        // Probes carry no credentials: health and readiness stay open, and say nothing of the data.
        path("health", () -> getOnly(() -> complete(StatusCodes.OK, JsonBodies.status("ok")))),
        path("ready", () -> getOnly(this::ready)),
        path("metrics", () -> metricsNeedPassword ? auth.require(getOnly(this::metrics)) : getOnly(this::metrics)),
        // Key names: behind the password, as the keys' values are.
        path("hotkeys", () -> auth.require(getOnly(this::hotKeys))),
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

  private Route proxyGet(Optional<String> key, boolean json) {
    if (key.isEmpty() || key.get().isEmpty()) {
      return complete(StatusCodes.BAD_REQUEST, JsonBodies.error("bad_request", "query parameter 'key' is required"));
    }
    String wanted = key.get();
    return extractRequest(request -> auth.refusal(request, wanted).map(this::complete)
        .orElseGet(() -> completeWithFuture(reads.read(wanted, json))));
  }

  /**
   * Ready when the backing Redis is reachable (with tracking: its lease held), Redis would still
   * accept the proxy's own login, and the cache itself answers.
   */
  private Route ready() {
    if (!redisReachable.getAsBoolean()) {
      return complete(StatusCodes.SERVICE_UNAVAILABLE, JsonBodies.error("not_ready",
          "the backing Redis is not reachable, its invalidation lease has lapsed, or Redis would refuse the proxy's "
              + "own login (see proxy_redis_login_refused and the log)"));
    }
    return completeWithFuture(cache.stats().thenApply(stats -> stats.isPresent()
        ? HttpResponse.create().withEntity(JsonBodies.status("ready"))
        : ReadResponses.error(StatusCodes.SERVICE_UNAVAILABLE, "not_ready", "the cache is not answering")));
  }

  private Route hotKeys() {
    return completeWithFuture(cache.stats().thenApply(stats -> stats.isPresent()
        ? HttpResponse.create().withEntity(JsonBodies.hotKeys(stats.get().hotKeys(), stats.get().hotKeysShare()))
        : ReadResponses.error(StatusCodes.SERVICE_UNAVAILABLE, "not_ready", "the cache is not answering")));
  }

  /** The exposition format the scraper's Accept asks for: Prometheus itself asks for OpenMetrics. */
  private Route metrics() {
    return optionalHeaderValueByName("Accept", accept -> {
      ExpositionFormat format = ExpositionFormat.accepted(accept);
      return completeWithFuture(cache.stats().thenApply(stats -> HttpResponse.create()
          .withEntity(HttpEntities.create(ExpositionContentTypes.of(format), metrics.scrape(stats, format)))));
    });
  }
}
