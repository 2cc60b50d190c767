package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP contract, against the real jar and a real Redis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpProxyIT {
  private TestRedis redis;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
    proxy = ProxyProcess.start(redis.address(), Map.of("REDIS_FETCH_TIMEOUT", "500ms"));
    // /health answers once bound; a miss before the fetch connections are open is a 502 (seen on
    // a loaded machine): the contract is tested from readiness on.
    Eventually.await(java.time.Duration.ofSeconds(30), "the proxy is ready",
        () -> proxy.request("GET", "/ready").statusCode() == 200);
  }

  @AfterAll
  void stop() {
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  @Test
  void firstReadIsAMissFromRedisThenAHitFromTheCache() {
    redis.set("greeting", "hello");
    HttpResponse<byte[]> first = proxy.get("greeting");
    assertEquals(200, first.statusCode());
    assertEquals("hello", body(first));
    assertEquals("MISS", header(first, "X-Cache"));
    assertEquals("application/octet-stream", header(first, "Content-Type"));
    redis.set("greeting", "changed in Redis");
    HttpResponse<byte[]> second = proxy.get("greeting");
    assertEquals("HIT", header(second, "X-Cache"));
    assertEquals("hello", body(second));
  }

  @Test
  void theFlaskPathWithATrailingSlashWorksTheSame() {
    redis.set("slash", "yes");
    HttpResponse<byte[]> response = proxy.request("GET", "/proxy/?key=slash");
    assertEquals(200, response.statusCode());
    assertEquals("yes", body(response));
  }

  @Test
  void absentKeyIs404AndIsNotCachedSoALaterSetIsSeenAtOnce() {
    HttpResponse<byte[]> absent = proxy.get("absent-then-set");
    assertEquals(404, absent.statusCode());
    assertEquals("application/json", header(absent, "Content-Type"));
    assertTrue(body(absent).contains("\"error\":\"not_found\""), body(absent));
    redis.set("absent-then-set", "now here");
    assertEquals("now here", body(proxy.get("absent-then-set")));
  }

  @Test
  void missingOrEmptyKeyIs400() {
    for (String query : new String[] {"/proxy", "/proxy?key=", "/proxy?other=1"}) {
      HttpResponse<byte[]> response = proxy.request("GET", query);
      assertEquals(400, response.statusCode(), query);
      assertTrue(body(response).contains("\"error\":\"bad_request\""), body(response));
    }
  }

  @Test
  void otherMethodsAre405WithAllow() {
    for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
      HttpResponse<byte[]> response = proxy.request(method, "/proxy?key=x");
      assertEquals(405, response.statusCode(), method);
      assertEquals("GET", header(response, "Allow"));
      assertTrue(body(response).startsWith("{\"error\":\"method_not_allowed\""), body(response));
    }
  }

  @Test
  void healthAnswers200AndUnknownPathsAre404() {
    assertEquals(200, proxy.request("GET", "/health").statusCode());
    assertEquals(404, proxy.request("GET", "/nothing-here").statusCode());
  }

  @Test
  void everyByteValueSurvivesTheRoundTrip() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) all[i] = (byte) i;
    redis.commands().set(TestRedis.bytes("all-bytes"), all);
    assertArrayEquals(all, proxy.get("all-bytes").body());
    HttpResponse<byte[]> hit = proxy.get("all-bytes");
    assertEquals("HIT", header(hit, "X-Cache"));
    assertArrayEquals(all, hit.body());
  }

  @Test
  void aOneMebibyteValueIsServedWhole() {
    byte[] big = new byte[1 << 20];
    new Random(42).nextBytes(big);
    redis.commands().set(TestRedis.bytes("one-mib"), big);
    assertArrayEquals(big, proxy.get("one-mib").body());
    assertArrayEquals(big, proxy.get("one-mib").body());
  }

  @Test
  void unicodeKeysAndKeysWithUrlSyntaxAreReadVerbatim() {
    String[] keys = {"ключ-日本-🔑", "a&b=c", "100%", "path/with/slashes", "what?", "hash#tag", "sp ace", "+plus+"};
    for (String key : keys) {
      redis.set(key, "value of " + key);
      HttpResponse<byte[]> response = proxy.get(key);
      assertEquals(200, response.statusCode(), key);
      assertEquals("value of " + key, body(response), key);
    }
  }

  @Test
  void redisErrorsAre502WithRedisOwnMessage() {
    redis.commands().lpush(TestRedis.bytes("a-list"), TestRedis.bytes("x"));
    HttpResponse<byte[]> response = proxy.get("a-list");
    assertEquals(502, response.statusCode());
    assertTrue(body(response).contains("WRONGTYPE"), body(response));
  }

  @Test
  void aRedisThatDoesNotAnswerInTimeGives504WhileCachedKeysAreStillServed() {
    redis.set("cached-before-pause", "still here");
    assertEquals(200, proxy.get("cached-before-pause").statusCode());
    redis.set("uncached-during-pause", "x");
    redis.commands().clientPause(2_000);
    long start = System.nanoTime();
    HttpResponse<byte[]> slow = proxy.get("uncached-during-pause");
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(504, slow.statusCode(), body(slow));
    assertTrue(tookMillis < 1_500, "504 took " + tookMillis + "ms with a 500ms fetch timeout");
    HttpResponse<byte[]> hit = proxy.get("cached-before-pause");
    assertEquals(200, hit.statusCode());
    assertEquals("still here", body(hit));
    com.redisproxy.system.support.Eventually.await(Duration.ofSeconds(10), "Redis answers again after the pause",
        () -> proxy.get("uncached-during-pause").statusCode() == 200);
  }
}
