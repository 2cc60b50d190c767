package com.redisproxy.http;

import com.redisproxy.cache.CacheKey;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.client.ReadBatcher;
import com.redisproxy.metrics.ProxyMetrics;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.Uri;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /proxy?key=K}, the endpoint under load. A plain read is answered here, without
 * the routing tree: its directives, rejections and marshalling cost more than the cache read
 * itself. Any request this is not sure of (another path or method, no key, no credentials, the
 * access log on) is left to {@link ProxyRoutes}, which answers it as before.
 */
final class ProxyReads {
  private static final Uri.Path PROXY = Uri.Path$.MODULE$.apply("/proxy", Uri.Path$.MODULE$.apply$default$2());
  private static final Uri.Path PROXY_SLASH = Uri.Path$.MODULE$.apply("/proxy/", Uri.Path$.MODULE$.apply$default$2());
  private final ReadBatcher cache;
  private final ProxyMetrics.ReadOutcomes outcomes;
  private final HttpAuth auth;

  ProxyReads(ReadBatcher cache, ProxyMetrics.ReadOutcomes outcomes, HttpAuth auth) {
    this.cache = cache;
    this.outcomes = outcomes;
    this.auth = auth;
  }

  CompletionStage<HttpResponse> read(String key, boolean json) {
    return cache.getAll(List.of(CacheKey.of(ByteString.fromString(key)))).thenApply(results -> {
      GetResult result = results.get(0);
      outcomes.record(result);
      return ReadResponses.of(key, result, json);
    });
  }

  /** The answer to a plain, authorised read; empty for any other request. */
  Optional<CompletionStage<HttpResponse>> plainRead(HttpRequest request) {
    if (request.method() != HttpMethods.GET) return Optional.empty();
    // The Scala model's path is compared as it is; the Java one renders a String on every call.
    Uri uri = ((org.apache.pekko.http.scaladsl.model.HttpRequest) request).uri();
    if (!uri.path().equals(PROXY) && !uri.path().equals(PROXY_SLASH)) return Optional.empty();
    Optional<String> key = key(request, uri);
    if (key.isEmpty() || key.get().isEmpty() || !auth.allows(request)) return Optional.empty();
    Optional<HttpResponse> refused = auth.refusal(request, key.get());
    if (refused.isPresent()) return Optional.of(java.util.concurrent.CompletableFuture.completedFuture(refused.get()));
    boolean json = RequestHeaders.value(request, "accept").filter(JsonMode::isRequested).isPresent();
    return Optional.of(read(key.get(), json));
  }

  private static Optional<String> key(HttpRequest request, Uri uri) {
    if (uri.rawQueryString().isEmpty()) return Optional.empty();
    Optional<String> plain = KeyParameter.plain(uri.rawQueryString().get());
    return plain.isPresent() ? plain : request.getUri().query().get("key");
  }
}
