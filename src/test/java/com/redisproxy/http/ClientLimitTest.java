package com.redisproxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.metrics.ProxyMetrics;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.junit.jupiter.api.Test;

class ClientLimitTest {
  private static final InetSocketAddress REFUSED = new InetSocketAddress("127.0.0.1", 40001);
  private static final InetSocketAddress ADMITTED = new InetSocketAddress("127.0.0.1", 40002);

  private static HttpRequest from(InetSocketAddress client) {
    return HttpRequest.create("/health").addAttribute(AttributeKeys.remoteAddress, RemoteAddress.create(client));
  }

  @Test
  void admitsUpToTheLimitAndAgainOnceOneIsReleased() {
    ClientLimit limit = new ClientLimit(() -> 2, new ProxyMetrics());
    assertTrue(limit.admit());
    assertTrue(limit.admit());
    assertFalse(limit.admit());
    assertFalse(limit.admit(), "a refusal must not take a slot");
    limit.release();
    assertTrue(limit.admit());
  }

  @Test
  void aLimitChangedWhileServingCountsFromTheNextConnectAndClosesNone() {
    java.util.concurrent.atomic.AtomicInteger max = new java.util.concurrent.atomic.AtomicInteger(1);
    ClientLimit limit = new ClientLimit(max::get, new ProxyMetrics());
    assertTrue(limit.admit());
    assertFalse(limit.admit());
    max.set(3);
    assertTrue(limit.admit());
    assertTrue(limit.admit());
    assertFalse(limit.admit());
    max.set(1);
    limit.release();
    assertFalse(limit.admit(), "two still open over a limit of one: no new one");
    limit.release();
    limit.release();
    assertTrue(limit.admit());
  }

  @Test
  void aSlotIsReleasedWhenTheConnectionsStreamEndsWithoutAThreadOfItsOwn() {
    ClientLimit limit = new ClientLimit(() -> 1, new ProxyMetrics());
    assertTrue(limit.admit());
    // What pekko's javadsl watchTermination hands out: Scala's wrapper, whose whenComplete is async.
    Promise<Done> stream = Promise.apply();
    limit.releaseWhen(FutureConverters.asJava(stream.future()));
    assertFalse(limit.admit());
    stream.failure(new IllegalStateException("connection reset"));
    assertTrue(limit.admit(), "released on the completing thread, at once, whether the stream failed or not");
  }

  @Test
  void answersRequestsOfARefusedConnectionWith503AndCloseUntilItIsForgotten() {
    ClientLimit limit = new ClientLimit(() -> 1, new ProxyMetrics());
    CompletableFuture<Done> ended = new CompletableFuture<>();
    limit.refuse(REFUSED, ended);
    HttpResponse refusal = limit.refusal(from(REFUSED)).orElseThrow();
    assertEquals(503, refusal.status().intValue());
    assertEquals("1", refusal.getHeader("Retry-After").orElseThrow().value());
    assertEquals("close", refusal.getHeader("Connection").orElseThrow().value());
    assertTrue(limit.refusal(from(ADMITTED)).isEmpty(), "another client's connection is served");
    ended.complete(Done.getInstance());
    assertTrue(limit.refusal(from(REFUSED)).isEmpty(), "a refused connection that has ended is forgotten");
  }

  @Test
  void aRequestWithoutARemoteAddressIsServed() {
    ClientLimit limit = new ClientLimit(() -> 1, new ProxyMetrics());
    limit.refuse(REFUSED, new CompletableFuture<>());
    assertTrue(limit.refusal(HttpRequest.create("/health")).isEmpty());
  }
}
