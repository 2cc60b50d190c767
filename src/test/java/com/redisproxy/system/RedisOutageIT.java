package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backing Redis down at start-up, and going down and coming back while the proxy serves. */
class RedisOutageIT {

  @Test
  void startsWithRedisDownAnswers502ThenRecoversWhenRedisComesUp() {
    TestRedis redis = new TestRedis();
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      long start = System.nanoTime();
      HttpResponse<byte[]> down = proxy.get("k");
      assertEquals(502, down.statusCode(), body(down));
      assertTrue(body(down).contains("redis_unavailable"), body(down));
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "502 was not prompt");
      assertEquals(200, proxy.request("GET", "/health").statusCode());
      assertEquals(503, proxy.request("GET", "/ready").statusCode());

      redis.start();
      redis.set("k", "up now");
      Eventually.await(Duration.ofSeconds(10), "the proxy reads from Redis once it is up",
          () -> proxy.get("k").statusCode() == 200);
      assertEquals("up now", body(proxy.get("k")));
      assertEquals(200, proxy.request("GET", "/ready").statusCode());
    } finally {
      redis.close();
    }
  }

  @Test
  void keepsServingCachedKeysWhileRedisIsDownAndReconnectsOnItsOwn() {
    TestRedis redis = TestRedis.started();
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      redis.set("cached", "kept");
      assertEquals(200, proxy.get("cached").statusCode());

      redis.stop();
      HttpResponse<byte[]> hit = proxy.get("cached");
      assertEquals(200, hit.statusCode());
      assertEquals("kept", body(hit));
      Eventually.await(Duration.ofSeconds(5), "a miss fails with 502 while Redis is down",
          () -> proxy.get("not-cached").statusCode() == 502);

      redis.start();
      redis.set("not-cached", "back");
      Eventually.await(Duration.ofSeconds(15), "misses are served again after Redis comes back",
          () -> proxy.get("not-cached").statusCode() == 200);
      assertEquals("back", body(proxy.get("not-cached")));
    } finally {
      redis.close();
    }
  }
}
