package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.FaultyRelay;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A connection to Redis that goes silent without closing (a relay stops forwarding Redis's
 * bytes): misses and forwarded commands fail within their timeouts, and the connection is
 * replaced, so that once Redis is heard again everything works without a restart.
 */
class SilentRedisIT {
  // Fetch timeout 2 s (the default), plus a loaded machine's slack.
  private static final Duration MISS_FAILS_WITHIN = Duration.ofSeconds(4);
  private static final Duration FORWARD_FAILS_WITHIN = Duration.ofSeconds(3);

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void aMissOnASilentConnectionFailsWithinTheFetchTimeoutAndTheConnectionIsReplaced() {
    try (TestRedis redis = TestRedis.started(); FaultyRelay relay = FaultyRelay.to(redis.port());
        ProxyProcess proxy = ProxyProcess.start(relay.address(), Map.of("PROXY_RESP_PORT", "0"))) {
      redis.set("before", "1");
      redis.set("during", "2");
      Eventually.await(Duration.ofSeconds(30), "a miss is served", () -> proxy.get("before").statusCode() == 200);
      int opened = relay.connectionsAccepted();

      relay.stall(FaultyRelay.Direction.FROM_REDIS);
      long sent = System.nanoTime();
      int status = proxy.get("during").statusCode();
      assertTrue(status == 504 || status == 502, "a failure, not " + status);
      assertTrue(millisSince(sent) < MISS_FAILS_WITHIN.toMillis(), "answered after " + millisSince(sent) + "ms");
      Eventually.await(Duration.ofSeconds(10), "the silent connections are replaced",
          () -> relay.connectionsAccepted() > opened);

      relay.heal();
      Eventually.await(Duration.ofSeconds(10), "misses are served again", () -> proxy.get("during").statusCode() == 200);
    }
  }

  @Test
  void aForwardedCommandOnASilentConnectionFailsWithinTheForwardTimeoutAndTheNextOneGoesOnANewConnection() {
    try (TestRedis redis = TestRedis.started(); FaultyRelay relay = FaultyRelay.to(redis.port());
        ProxyProcess proxy = ProxyProcess.start(relay.address(), Map.of("PROXY_RESP_FORWARD_TIMEOUT", "1"));
        RespSocket client = new RespSocket(proxy.respPort(), Duration.ofSeconds(20))) {
      assertEquals("+OK\r\n", client.call(command("SET", "forwarded", "before"), "+OK\r\n"));
      int opened = relay.connectionsAccepted();

      relay.stall(FaultyRelay.Direction.FROM_REDIS);
      long sent = System.nanoTime();
      String reply = client.send(command("SET", "forwarded", "during")).readLine();
      assertTrue(reply.startsWith("-ERR the backing Redis did not answer within 1000ms"), reply);
      assertTrue(millisSince(sent) < FORWARD_FAILS_WITHIN.toMillis(), "answered after " + millisSince(sent) + "ms");

      relay.heal();
      Eventually.await(Duration.ofSeconds(10), "forwarded commands work again",
          () -> client.send(command("SET", "forwarded", "after")).readLine().equals("+OK\r\n"));
      assertTrue(relay.connectionsAccepted() > opened, "the silent connection was given up for a new one");
      assertEquals("after", new String(redis.commands().get(TestRedis.bytes("forwarded"))));
    }
  }
}
