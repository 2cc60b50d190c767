package com.redisproxy.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.redisproxy.system.support.Executables;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real Node.js clients, unchanged, through the RESP port: ioredis (RESP2) and node-redis (RESP2
 * and RESP3) run src/test/node/clients.mjs, which checks every reply against what Redis answers.
 * Tracking is off and entries live long, so a stale read after a write would show. Skipped when
 * node or the clients (npm ci --prefix src/test/node) are not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeClientsIT {
  private static final Path SCRIPT_DIR = Path.of("src/test/node");
  // The script gives each step 30 s and itself 150 s; this is the backstop for a hung node.
  private static final Duration RUN_DEADLINE = Duration.ofSeconds(180);

  private TestRedis redis;
  private ProxyProcess proxy;

  // Checked in each test rather than in start(): a skip there would be reported with no reason.
  private static String missing() {
    if (!Executables.onPath("node")) return "node is not installed (Node.js 18.19 or later): skipping";
    if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/ioredis"))
        || !Files.isDirectory(SCRIPT_DIR.resolve("node_modules/redis"))) {
      return "the Node.js clients are not installed: run `npm ci --prefix src/test/node` (or `make node-clients`): skipping";
    }
    return "";
  }

  @BeforeAll
  void start() {
    if (!missing().isEmpty()) return;
    redis = TestRedis.started();
    proxy = ProxyProcess.start(redis.address(), Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "none"));
  }

  @AfterAll
  void stop() {
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ioredis", "node-redis-resp2", "node-redis-resp3"})
  void aNodeClientGetsWhatRedisWouldAnswerThroughTheProxy(String client) throws Exception {
    assumeTrue(missing().isEmpty(), missing());
    Run run = runScript(client, proxy.respPort());
    assertEquals(0, run.exitCode(), "clients.mjs " + client + " failed:\n" + run.output() + "\nproxy output:\n"
        + proxy.output());
    assertTrue(run.output().contains("PASS " + client + ":"), run.output());
  }

  @Test
  void theScriptFailsAgainstRedisItselfWhichHasNoCache() throws Exception {
    assumeTrue(missing().isEmpty(), missing());
    Run run = runScript("ioredis", redis.port());
    assertEquals(1, run.exitCode(), run.output());
    assertTrue(run.output().contains("FAIL ioredis") && run.output().contains("INFO proxy has cache_hits"),
        run.output());
  }

  private record Run(int exitCode, String output) {}

  private static Run runScript(String client, int port) throws IOException, InterruptedException {
    Path output = Files.createTempFile("node-clients", ".log");
    try {
      Process node = new ProcessBuilder("node", "clients.mjs", client, String.valueOf(port))
          .directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!node.waitFor(RUN_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("clients.mjs " + client + " did not finish within " + RUN_DEADLINE + ":\n"
            + Files.readString(output));
      }
      return new Run(node.exitValue(), Files.readString(output));
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
