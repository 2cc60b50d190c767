package com.redisproxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.auth.AuthSettings;
import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.InvalidationInbox;
import com.redisproxy.cache.client.CacheClient;
import com.redisproxy.metrics.ProxyMetrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** /metrics answers in the format the scraper asks for, under the exact Content-Type of that format. */
class MetricsEndpointTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
      + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static HttpResponse metrics(AuthSettings auth, HttpRequest request) throws Exception {
    CacheClient client = new CacheClient(answeringCache(), testKit.system().scheduler(), Duration.ofSeconds(3), 100, new InvalidationInbox(100));
    ProxyRoutes routes = new ProxyRoutes(client, Runnable::run, new ProxyMetrics(), () -> true, false, auth,
        com.redisproxy.auth.acl.ProxyIdentity.notFollowed());
    return routes.routes().seal().handler(testKit.system()).apply(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static HttpResponse metrics(HttpRequest request) throws Exception {
    return metrics(AuthSettings.defaults(), request);
  }

  private static String body(HttpResponse response) throws Exception {
    return response.entity().toStrict(5_000, Materializer.matFromSystem(testKit.system()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS).getData().utf8String();
  }

  private static ActorRef<CacheActor.Command> answeringCache() {
    return testKit.spawn(Behaviors.receiveMessage(command -> {
      if (command instanceof CacheActor.GetStats stats) stats.replyTo().tell(CacheStats.NONE);
      return Behaviors.same();
    }));
  }

  @Test
  void withoutAcceptItIsTheVersionedTextFormat() throws Exception {
    HttpResponse response = metrics(HttpRequest.GET("/metrics"));
    assertEquals(200, response.status().intValue());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", response.entity().getContentType().toString());
    String text = body(response);
    assertTrue(text.contains("# TYPE proxy_requests_total counter"), text);
    assertFalse(text.contains("# EOF"), text);
  }

  @Test
  void prometheusAcceptGetsOpenMetrics() throws Exception {
    HttpResponse response = metrics(HttpRequest.GET("/metrics").addHeader(RawHeader.create("Accept", PROMETHEUS_ACCEPT)));
    assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", response.entity().getContentType().toString());
    String text = body(response);
    // OpenMetrics names the counter family without _total and ends with # EOF
    assertTrue(text.contains("# TYPE proxy_requests counter"), text);
    assertTrue(text.endsWith("# EOF\n"), text);
  }

  @Test
  void metricsStillAskForThePasswordWhenConfiguredTo() throws Exception {
    AuthSettings auth = AuthSettings.defaults().withPassword("s3cret").withMetricsNeedPassword(true);
    assertEquals(401, metrics(auth, HttpRequest.GET("/metrics")).status().intValue());
    HttpResponse allowed = metrics(auth, HttpRequest.GET("/metrics")
        .addHeader(RawHeader.create("Authorization", "Bearer s3cret"))
        .addHeader(RawHeader.create("Accept", PROMETHEUS_ACCEPT)));
    assertEquals(200, allowed.status().intValue());
    assertTrue(body(allowed).endsWith("# EOF\n"));
  }
}
