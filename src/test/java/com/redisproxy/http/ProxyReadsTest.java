package com.redisproxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.auth.Password;
import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.InvalidationInbox;
import com.redisproxy.cache.Lookup;
import com.redisproxy.cache.client.CacheClient;
import com.redisproxy.cache.client.ReadBatcher;
import com.redisproxy.metrics.ProxyMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Which requests the read path answers without the routing tree: plain, authorised reads only. */
class ProxyReadsTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final ActorRef<CacheActor.Command> cache = testKit.spawn(Behaviors.receiveMessage(command -> {
    if (command instanceof CacheActor.Read read) {
      read.replyTo().tell(new CacheActor.Lookups(read.keys().stream()
          .<Lookup>map(key -> new GetResult.Found(ByteString.fromString("value of " + key.key().utf8String()), true))
          .toList(), CompletableFuture.completedStage(List.of())));
    }
    return Behaviors.same();
  }));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ProxyReads reads(Optional<Password> password) {
    ProxyMetrics metrics = new ProxyMetrics();
    ReadBatcher batched = new ReadBatcher(
        new CacheClient(cache, testKit.system().scheduler(), Duration.ofSeconds(5), 100, new InvalidationInbox(100)),
        Runnable::run, Runnable::run);
    return new ProxyReads(batched, metrics.readOutcomes("http"), new HttpAuth(password, metrics.authFailures("http")));
  }

  private static String body(HttpResponse response) throws Exception {
    return response.entity().toStrict(5_000, testKit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS)
        .getData().utf8String();
  }

  @Test
  void aPlainReadWithOrWithoutTheTrailingSlashIsAnsweredFromTheCache() throws Exception {
    ProxyReads reads = reads(Optional.empty());
    for (String uri : List.of("/proxy?key=k1", "/proxy/?key=k1", "/proxy?key=k1&other=x")) {
      Optional<HttpResponse> response = reads.plainRead(HttpRequest.GET(uri))
          .map(answer -> answer.toCompletableFuture().join());
      assertTrue(response.isPresent(), uri);
      assertEquals(200, response.get().status().intValue(), uri);
      assertEquals("value of k1", body(response.get()), uri);
      assertEquals("HIT", response.get().getHeader("X-Cache").orElseThrow().value(), uri);
    }
  }

  @Test
  void anEncodedKeyIsDecodedByTheQueryParser() throws Exception {
    ProxyReads reads = reads(Optional.empty());
    for (String uri : List.of("/proxy?key=a%26b%3Dc", "/proxy?other=x&key=a%26b%3Dc")) {
      HttpResponse response = reads.plainRead(HttpRequest.GET(uri)).orElseThrow().toCompletableFuture().join();
      assertEquals("value of a&b=c", body(response), uri);
    }
  }

  @Test
  void anythingElseIsLeftToTheRoutes() {
    ProxyReads reads = reads(Optional.empty());
    for (HttpRequest request : List.of(HttpRequest.GET("/proxy"), HttpRequest.GET("/proxy?key="),
        HttpRequest.GET("/proxyx?key=k1"), HttpRequest.GET("/proxy/x?key=k1"), HttpRequest.GET("/health"),
        HttpRequest.POST("/proxy?key=k1"), HttpRequest.DELETE("/proxy?key=k1"))) {
      assertFalse(reads.plainRead(request).isPresent(), request.method().name() + " " + request.getUri());
    }
  }

  @Test
  void withAPasswordOnlyARequestCarryingItIsAnsweredHere() {
    ProxyReads reads = reads(Password.fromSetting("s3cret"));
    assertFalse(reads.plainRead(HttpRequest.GET("/proxy?key=k1")).isPresent(), "no credentials");
    assertFalse(reads.plainRead(HttpRequest.GET("/proxy?key=k1")
        .addHeader(RawHeader.create("Authorization", "Bearer wrong"))).isPresent(), "a wrong password");
    assertTrue(reads.plainRead(HttpRequest.GET("/proxy?key=k1")
        .addHeader(RawHeader.create("Authorization", "Bearer s3cret"))).isPresent(), "the right password");
  }
}
