package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Expiry, LRU eviction and capacity 0, as configured through the environment of the real jar. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CachePolicyIT {
  private TestRedis redis;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
  }

  @AfterAll
  void stop() {
    redis.close();
  }

  private static String xCache(HttpResponse<byte[]> response) {
    return response.headers().firstValue("X-Cache").orElse("");
  }

  @Test
  void anEntryIsServedFromCacheUntilTheGlobalExpiryThenReadAgain() {
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("GLOBAL_CACHE_EXPIRY", "1500ms"))) {
      redis.set("expiring", "old");
      long added = System.nanoTime();
      assertEquals("old", body(proxy.get("expiring")));
      redis.set("expiring", "new");
      HttpResponse<byte[]> cached = proxy.get("expiring");
      if (System.nanoTime() - added < Duration.ofMillis(1400).toNanos()) {
        assertEquals("old", body(cached));
        assertEquals("HIT", xCache(cached));
      }
      Eventually.await(Duration.ofSeconds(5), "the new value is served after expiry",
          () -> body(proxy.get("expiring")).equals("new"));
      long expiredAfter = (System.nanoTime() - added) / 1_000_000;
      assertEquals(true, expiredAfter >= 1500, "served the new value after only " + expiredAfter + "ms");
    }
  }

  @Test
  void capacityAndRulesReloadOnSighupAndAnInvalidFileChangesNothing() throws Exception {
    Path conf = Files.createTempFile("redis-proxy-reload", ".conf");
    Files.writeString(conf, "redis-proxy.cache.capacity = 100\n");
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(),
        Map.of("JAVA_TOOL_OPTIONS", "-Dconfig.file=" + conf, "GLOBAL_CACHE_EXPIRY", "600"))) {
      redis.set("volatile:1", "v");
      redis.set("steady", "s");
      proxy.get("volatile:1");
      proxy.get("steady");
      assertEquals("HIT", xCache(proxy.get("volatile:1")));
      assertEquals(100, metric(proxy, "proxy_cache_capacity"));

      Files.writeString(conf, "redis-proxy.cache.capacity = 50\nredis-proxy.cache.rules = [ { keys = \"volatile:*\", cache = off } ]\n");
      proxy.sendSighup();
      Eventually.await(Duration.ofSeconds(20), "the new capacity is in force", () -> metric(proxy, "proxy_cache_capacity") == 50);
      assertEquals("MISS", xCache(proxy.get("volatile:1")), "a key the new rule keeps out left at once");
      assertEquals("MISS", xCache(proxy.get("volatile:1")), "and is not kept again");
      assertEquals("HIT", xCache(proxy.get("steady")), "the others stay");

      Files.writeString(conf, "redis-proxy.cache.capacity = -1\n");
      proxy.sendSighup();
      Eventually.await(Duration.ofSeconds(20), "the invalid file is reported",
          () -> proxy.output().contains("SIGHUP: the configuration is not valid, nothing changed"));
      assertEquals(50, metric(proxy, "proxy_cache_capacity"));
    } finally {
      Files.deleteIfExists(conf);
    }
  }

  private static double metric(ProxyProcess proxy, String series) {
    for (String line : body(proxy.request("GET", "/metrics")).split("\n")) {
      if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
    }
    throw new AssertionError("no series " + series);
  }

  @Test
  void integerExpiryIsSeconds() {
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("GLOBAL_CACHE_EXPIRY", "1"))) {
      redis.set("one-second", "old");
      long added = System.nanoTime();
      assertEquals("old", body(proxy.get("one-second")));
      redis.set("one-second", "new");
      Eventually.await(Duration.ofSeconds(5), "the new value is served after one second",
          () -> body(proxy.get("one-second")).equals("new"));
      assertEquals(true, System.nanoTime() - added >= Duration.ofSeconds(1).toNanos());
    }
  }

  @Test
  void atCapacityTheLeastRecentlyReadKeyIsEvicted() {
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("CACHE_CAPACITY", "2"))) {
      redis.set("lru-a", "a");
      redis.set("lru-b", "b");
      redis.set("lru-c", "c");
      assertEquals("MISS", xCache(proxy.get("lru-a")));
      assertEquals("MISS", xCache(proxy.get("lru-b")));
      assertEquals("HIT", xCache(proxy.get("lru-a")));
      assertEquals("MISS", xCache(proxy.get("lru-c")));
      assertEquals("HIT", xCache(proxy.get("lru-a")));
      assertEquals("HIT", xCache(proxy.get("lru-c")));
      assertEquals("MISS", xCache(proxy.get("lru-b")));
    }
  }

  @Test
  void capacityZeroPassesEveryReadThroughToRedis() {
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("CACHE_CAPACITY", "0"))) {
      redis.set("uncached", "1");
      assertEquals("MISS", xCache(proxy.get("uncached")));
      redis.set("uncached", "2");
      HttpResponse<byte[]> second = proxy.get("uncached");
      assertEquals("MISS", xCache(second));
      assertEquals("2", body(second));
    }
  }
}
