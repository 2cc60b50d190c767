package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** PROXY_RESP_IDLE_TIMEOUT: a RESP connection that sends nothing for that long is closed; by default none is. */
class RespIdleTimeoutIT {
  private static final String PING = command("PING");
  private static final String PONG = "+PONG\r\n";

  @Test
  void anIdleConnectionIsClosedCleanlyWhileOneThatKeepsSendingStaysOpen() throws Exception {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("PROXY_RESP_IDLE_TIMEOUT", "1"));
        RespSocket idle = new RespSocket(proxy.respPort());
        RespSocket active = new RespSocket(proxy.respPort())) {
      assertEquals(PONG, idle.call(PING, PONG));
      long idleSince = System.nanoTime();
      CompletableFuture<Void> pinging = CompletableFuture.runAsync(() -> pingEvery200msFor(active, Duration.ofMillis(3_500)));

      assertTrue(idle.endOfStream(), "the idle connection is closed (the read timeout is 10 s)");
      long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince);
      assertTrue(closedAfter >= 500, "closed after " + closedAfter + " ms: too early for a 1 s timeout");

      pinging.get(30, TimeUnit.SECONDS);
      assertEquals(PONG, active.call(PING, PONG), "the active connection is still open");
      assertFalse(proxy.output().contains("ERROR"), proxy.output());
    }
  }

  @Test
  void anIdlePinnedSessionIsClosedAndGivesItsConnectionBackWhileASubscriberStays() {
    Map<String, String> env = Map.of("PROXY_RESP_IDLE_TIMEOUT", "1", "PROXY_RESP_MAX_PINNED_CONNECTIONS", "2");
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), env);
        RespSocket inTransaction = new RespSocket(proxy.respPort());
        RespSocket subscriber = new RespSocket(proxy.respPort(), Duration.ofSeconds(3))) {
      assertEquals("+OK\r\n", inTransaction.call(command("MULTI"), "+OK\r\n"));
      String subscribed = "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n";
      assertEquals(subscribed, subscriber.call(command("SUBSCRIBE", "news"), subscribed));

      assertTrue(inTransaction.endOfStream(), "the idle session in MULTI is closed (the read timeout is 10 s)");
      assertFalse(subscriber.endOfStream(), "a subscriber waits for messages: nothing arrives for 3 s, not even the end");

      // Both dedicated connections were taken; the closed session's is free again.
      try (RespSocket next = new RespSocket(proxy.respPort())) {
        assertEquals("+OK\r\n", next.call(command("MULTI"), "+OK\r\n"));
      }
    }
  }

  @Test
  void byDefaultAnIdleConnectionStaysOpen() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of());
        RespSocket idle = new RespSocket(proxy.respPort(), Duration.ofSeconds(3))) {
      assertEquals(PONG, idle.call(PING, PONG));
      assertFalse(idle.endOfStream(), "nothing arrives for 3 s, not even the end of the stream");
      assertEquals(PONG, idle.call(PING, PONG));
    }
  }

  private static void pingEvery200msFor(RespSocket client, Duration howLong) {
    long end = System.nanoTime() + howLong.toNanos();
    while (System.nanoTime() - end < 0) {
      assertEquals(PONG, client.call(PING, PONG));
      try {
        Thread.sleep(200); // the client's pace, not a synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
