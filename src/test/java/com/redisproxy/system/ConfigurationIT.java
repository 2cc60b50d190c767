package com.redisproxy.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ListenQueue;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad configuration ends the real jar quickly with one clear line naming the setting. */
class ConfigurationIT {

  private static String runUntilExit(Map<String, String> env) {
    try (ProxyProcess proxy = ProxyProcess.launch(env)) {
      int exitCode = proxy.awaitExitAtStart();
      assertNotEquals(0, exitCode, proxy.output());
      return proxy.output();
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "CACHE_CAPACITY      | -1        | CACHE_CAPACITY",
      "CACHE_CAPACITY      | lots      | CACHE_CAPACITY",
      "GLOBAL_CACHE_EXPIRY | soon      | GLOBAL_CACHE_EXPIRY",
      "GLOBAL_CACHE_EXPIRY | -5        | GLOBAL_CACHE_EXPIRY",
      "REDIS_ADDRESS       | nohostport| REDIS_ADDRESS",
      "REDIS_ADDRESS       | host:99999| REDIS_ADDRESS",
      "REDIS_ADDRESS       | http://x:1| REDIS_ADDRESS",
      "PROXY_PORT          | 70000     | PROXY_PORT",
      "PROXY_BACKLOG       | 0         | PROXY_BACKLOG",
      "PROXY_BACKLOG       | 65536     | PROXY_BACKLOG",
      "PROXY_BACKLOG       | many      | PROXY_BACKLOG",
      "PROXY_RESP_IDLE_TIMEOUT | -1    | PROXY_RESP_IDLE_TIMEOUT",
      "PROXY_RESP_IDLE_TIMEOUT | later | PROXY_RESP_IDLE_TIMEOUT",
  })
  void invalidSettingExitsWithOneLineNamingIt(String variable, String value, String named) {
    String output = runUntilExit(Map.of(variable, value));
    String[] lines = output.strip().split("\n");
    assertEquals(1, lines.length, "expected one line, got:\n" + output);
    assertTrue(lines[0].startsWith("redis-proxy: invalid configuration: " + named), output);
    assertFalse(output.contains("Exception"), output);
  }

  @Test
  void aPortAlreadyInUseEndsTheProcessWithAClearMessage() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String output = runUntilExit(Map.of("PROXY_PORT", String.valueOf(taken.getLocalPort())));
      assertTrue(output.contains("redis-proxy: cannot listen for HTTP on 127.0.0.1:" + taken.getLocalPort()), output);
    }
  }

  @Test
  void theBacklogSettingIsTheListenQueueOfBothFrontEnds() {
    assumeTrue(ListenQueue.readable(), "needs `ss` (iproute2) to read the listen queue");
    try (ProxyProcess proxy = ProxyProcess.start("127.0.0.1:1", Map.of("PROXY_BACKLOG", "300"))) {
      Eventually.await(Duration.ofSeconds(10), "RESP listens", () -> ListenQueue.of(proxy.respPort()).isPresent());
      OptionalInt expected = OptionalInt.of(Math.min(300, ListenQueue.kernelCap())); // pekko-http's default: 100
      assertEquals(expected, ListenQueue.of(proxy.httpPort()), "HTTP");
      assertEquals(expected, ListenQueue.of(proxy.respPort()), "RESP");
    }
  }

  @Test
  void withTheRespPortOffMissesAreReadOnLettucesOwnLoops() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("PROXY_RESP_PORT", "0"))) {
      redis.set("http-only", "read");
      assertTrue(proxy.output().contains("Misses are read from Redis on Lettuce's own event loops"), proxy.output());
      assertEquals("MISS", proxy.get("http-only").headers().firstValue("X-Cache").orElse(""));
      assertEquals("read", ProxyProcess.body(proxy.get("http-only")));
    }
  }

  @Test
  void respPortZeroTurnsTheRespFrontEndOff() {
    try (ProxyProcess proxy = ProxyProcess.start("127.0.0.1:1", Map.of("PROXY_RESP_PORT", "0"))) {
      assertTrue(proxy.output().contains("RESP off"), proxy.output());
      assertEquals(200, proxy.request("GET", "/health").statusCode());
    }
  }
}
