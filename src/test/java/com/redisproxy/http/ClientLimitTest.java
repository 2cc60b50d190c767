package com.redisproxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.metrics.ProxyMetrics;
import java.net.InetSocketAddress;
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
    ClientLimit limit = new ClientLimit(2, new ProxyMetrics());
    assertTrue(limit.admit());
    assertTrue(limit.admit());
    assertFalse(limit.admit());
    assertFalse(limit.admit(), "a refusal must not take a slot");
    limit.release();
    assertTrue(limit.admit());
  }

  @Test
  void answersRequestsOfARefusedConnectionWith503AndCloseUntilItIsForgotten() {
    ClientLimit limit = new ClientLimit(1, new ProxyMetrics());
    limit.refuse(REFUSED);
    HttpResponse refusal = limit.refusal(from(REFUSED)).orElseThrow();
    assertEquals(503, refusal.status().intValue());
    assertEquals("1", refusal.getHeader("Retry-After").orElseThrow().value());
    assertEquals("close", refusal.getHeader("Connection").orElseThrow().value());
    assertTrue(limit.refusal(from(ADMITTED)).isEmpty(), "another client's connection is served");
    limit.forget(REFUSED);
    assertTrue(limit.refusal(from(REFUSED)).isEmpty());
  }

  @Test
  void aRequestWithoutARemoteAddressIsServed() {
    ClientLimit limit = new ClientLimit(1, new ProxyMetrics());
    limit.refuse(REFUSED);
    assertTrue(limit.refusal(HttpRequest.create("/health")).isEmpty());
  }
}
