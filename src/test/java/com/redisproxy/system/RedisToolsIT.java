package com.redisproxy.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** redis-cli and redis-benchmark (Debian's redis-tools) against the proxy; skipped where absent. */
class RedisToolsIT {

  private static boolean installed(String tool) {
    try {
      return new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    return output;
  }

  @Test
  void redisCliAndRedisBenchmarkWorkAgainstTheProxy() throws Exception {
    assumeTrue(installed("redis-cli") && installed("redis-benchmark"),
        "redis-cli/redis-benchmark not installed (apt-get install redis-tools): skipping");
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      redis.set("cli-key", "from redis-cli");
      String port = String.valueOf(proxy.respPort());
      assertEquals("from redis-cli\n", run(List.of("redis-cli", "-p", port, "GET", "cli-key")));
      assertEquals("PONG\n", run(List.of("redis-cli", "-p", port, "PING")));
      redis.set("key:__rand_int__", "benchmark value");
      String report = run(List.of("redis-benchmark", "-p", port, "-t", "get", "-n", "2000", "-c", "10", "-q"));
      assertTrue(report.contains("GET:") && report.contains("requests per second"), report);
    }
  }
}
