package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Forwarded and pinned commands while Redis goes away and comes back: an error at once, never a hang. */
class ForwardingOutageIT {

  @Test
  void forwardedCommandsFailPromptlyWhileRedisIsDownAndWorkAgainAfterwards() {
    TestRedis redis = TestRedis.started();
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of());
        RespSocket client = new RespSocket(proxy.respPort())) {
      assertEquals("+OK\r\n", client.call(command("SET", "outage", "before"), "+OK\r\n"));

      redis.stop();
      Eventually.await(Duration.ofSeconds(10), "a forwarded SET fails with Redis unreachable", () -> {
        String reply = client.send(command("SET", "outage", "during")).readLine();
        assertTrue(reply.startsWith("-ERR the "), reply);
        return reply.startsWith("-ERR the backing Redis is unreachable: ");
      });
      try (RespSocket pinning = new RespSocket(proxy.respPort())) {
        String reply = pinning.send(command("MULTI")).readLine();
        assertTrue(reply.startsWith("-ERR the backing Redis is unreachable: "), reply);
        assertTrue(pinning.endOfStream(), "the pinned session ends with its Redis connection");
      }

      redis.start();
      Eventually.await(Duration.ofSeconds(15), "forwarded commands work again once Redis is back",
          () -> client.send(command("SET", "outage", "after")).readLine().equals("+OK\r\n"));
      // Reads come through the fetchers' own connections, which reconnect on their own schedule.
      Eventually.await(Duration.ofSeconds(15), "the write is read once the fetchers are back",
          () -> client.send(command("GET", "outage")).readLine().equals("$5\r\n") && client.readLine().equals("after\r\n"));
    } finally {
      redis.close();
    }
  }

  @Test
  void aForwardedCommandRedisLeavesUnansweredFailsAtTheForwardTimeout() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("PROXY_RESP_FORWARD_TIMEOUT", "500ms"));
        RespSocket client = new RespSocket(proxy.respPort(), Duration.ofSeconds(20))) {
      assertEquals("+OK\r\n", client.call(command("SET", "paused", "before"), "+OK\r\n"));
      redis.commands().clientPause(4_000);
      long start = System.nanoTime();
      String reply = client.send(command("SET", "paused", "during")).readLine();
      long waitedMillis = (System.nanoTime() - start) / 1_000_000;
      assertEquals("-ERR the backing Redis did not answer within 500ms; the command may or may not have run\r\n", reply);
      assertTrue(waitedMillis < 3_000, "answered at the timeout, not when the pause ended: " + waitedMillis + "ms");
      Eventually.await(Duration.ofSeconds(15), "forwarded commands work again after the pause",
          () -> client.send(command("SET", "paused", "after")).readLine().equals("+OK\r\n"));
    }
  }
}
