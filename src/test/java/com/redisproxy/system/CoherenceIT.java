package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.SetArgs;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Redis's own expiry and Redis-assisted invalidation, against the real jar and a real Redis. */
class CoherenceIT {
  private static final Map<String, String> TRACKING = Map.of("CACHE_INVALIDATION", "tracking");
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private static String valueOf(ProxyProcess proxy, String key) {
    HttpResponse<byte[]> response = proxy.get(key);
    return response.statusCode() == 200 ? body(response) : String.valueOf(response.statusCode());
  }

  private static void awaitValue(ProxyProcess proxy, String key, String expected) {
    Eventually.await(DEADLINE, "the proxy serves " + expected + " for " + key, () -> valueOf(proxy, key).equals(expected));
  }

  @Test
  void aKeyRedisExpiresIsNeverServedAfterItsExpiry() {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      redis.commands().set(TestRedis.bytes("short-lived"), TestRedis.bytes("v"), SetArgs.Builder.px(1500));
      long setAt = System.nanoTime();
      assertEquals("v", valueOf(proxy, "short-lived"));
      assertEquals("HIT", proxy.get("short-lived").headers().firstValue("X-Cache").orElse(""));
      while (System.nanoTime() - setAt < TimeUnit.MILLISECONDS.toNanos(2500)) {
        long sentAt = System.nanoTime();
        String value = valueOf(proxy, "short-lived");
        if (sentAt - setAt > TimeUnit.MILLISECONDS.toNanos(1500)) {
          assertEquals("404", value, "served " + (sentAt - setAt) / 1_000_000 + "ms after a 1500ms Redis TTL");
        }
      }
    }
  }

  private static long getsRedisRan(TestRedis redis) {
    String stats = redis.commands().info("commandstats");
    for (String line : stats.split("\r\n")) {
      if (line.startsWith("cmdstat_get:calls=")) return Long.parseLong(line.substring(18, line.indexOf(',')));
    }
    return 0;
  }

  @Test
  void withTrackingAnAbsentKeyIsServedFromTheCacheUntilRedisReportsItsCreation() {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), TRACKING)) {
      assertEquals("404", valueOf(proxy, "not-yet"));
      long getsAfterFirstRead = getsRedisRan(redis);
      assertEquals("404", valueOf(proxy, "not-yet"));
      assertEquals("404", valueOf(proxy, "not-yet"));
      assertEquals(getsAfterFirstRead, getsRedisRan(redis), "the absence was served from the cache");
      redis.set("not-yet", "created");
      awaitValue(proxy, "not-yet", "created");
    }
  }

  @Test
  void withoutTrackingAnAbsentKeyIsReadFromRedisEachTime() {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      assertEquals("404", valueOf(proxy, "absent"));
      long getsAfterFirstRead = getsRedisRan(redis);
      assertEquals("404", valueOf(proxy, "absent"));
      assertTrue(getsRedisRan(redis) > getsAfterFirstRead, "the second read went to Redis");
      redis.set("absent", "now-set");
      assertEquals("now-set", valueOf(proxy, "absent"));
    }
  }

  @Test
  void withTrackingSetDelAndFlushallInRedisAreSeenAtOnce() {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), TRACKING)) {
      redis.set("tracked", "v1");
      assertEquals("v1", valueOf(proxy, "tracked"));
      assertEquals("HIT", proxy.get("tracked").headers().firstValue("X-Cache").orElse(""));
      redis.set("tracked", "v2");
      awaitValue(proxy, "tracked", "v2");
      redis.commands().del(TestRedis.bytes("tracked"));
      awaitValue(proxy, "tracked", "404");

      redis.set("f1", "a");
      redis.set("f2", "b");
      assertEquals("a", valueOf(proxy, "f1"));
      assertEquals("b", valueOf(proxy, "f2"));
      redis.commands().flushall();
      awaitValue(proxy, "f1", "404");
      awaitValue(proxy, "f2", "404");
      assertTrue(body(proxy.request("GET", "/metrics")).contains("proxy_cache_full_clears_total"));
    }
  }

  @Test
  void aValueChangedWhileItsFetchWasInFlightIsNotCachedStale() throws Exception {
    // The pause must outlast sending the miss and seeing it in flight on a loaded machine (a 1 s
    // pause did not always); the proxy waits it out: its fetch timeout, and with it the heartbeat's
    // silence limit, is longer than the pause (and the ask timeout longer than both).
    Map<String, String> settings = Map.of("CACHE_INVALIDATION", "tracking", "REDIS_FETCH_TIMEOUT", "20s",
        "JAVA_TOOL_OPTIONS", "-Dredis-proxy.ask-timeout=25s");
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), settings)) {
      redis.set("raced", "old");
      redis.commands().clientPause(5_000);
      CompletableFuture<String> miss = CompletableFuture.supplyAsync(() -> valueOf(proxy, "raced"));
      Eventually.await(DEADLINE, "the miss is in flight", () ->
          body(proxy.request("GET", "/metrics")).contains("proxy_redis_fetches_in_flight 1.0"));
      redis.set("raced", "new"); // waits for the pause to end, like the proxy's GET
      String first = miss.get(10, TimeUnit.SECONDS);
      assertTrue(first.equals("old") || first.equals("new"), first);
      awaitValue(proxy, "raced", "new");
      for (int i = 0; i < 20; i++) assertEquals("new", valueOf(proxy, "raced"));
    }
  }

  @Test
  void afterARedisRestartTheCacheIsClearedAndTrackingWorksAgain() {
    TestRedis redis = TestRedis.started();
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(), TRACKING)) {
      redis.set("survivor", "before restart");
      assertEquals("before restart", valueOf(proxy, "survivor"));
      redis.stop();
      redis.start();
      redis.set("survivor", "after restart");
      awaitValue(proxy, "survivor", "after restart");
      Eventually.await(DEADLINE, "tracking is back on", () -> {
        redis.set("survivor", "tracked again " + System.nanoTime());
        String expected = new String(redis.commands().get(TestRedis.bytes("survivor")));
        valueOf(proxy, "survivor");
        redis.set("survivor", expected + "!");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < deadline) if (valueOf(proxy, "survivor").equals(expected + "!")) return true;
        return false;
      });
    } finally {
      redis.close();
    }
  }

  @Test
  void twoProxiesInFrontOfOneRedisBothSeeAWrite() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess first = ProxyProcess.start(redis.address(), TRACKING);
        ProxyProcess second = ProxyProcess.start(redis.address(), TRACKING)) {
      redis.set("shared", "v1");
      assertEquals("v1", valueOf(first, "shared"));
      assertEquals("v1", valueOf(second, "shared"));
      redis.set("shared", "v2");
      awaitValue(first, "shared", "v2");
      awaitValue(second, "shared", "v2");
    }
  }
}
