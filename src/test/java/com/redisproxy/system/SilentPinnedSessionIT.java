package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.FaultyRelay;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pinned session (MULTI, a blocking command, SUBSCRIBE) whose Redis goes silent without closing
 * anything (a relay stops forwarding Redis's bytes) ends with a clear error instead of holding its
 * client for good: a command at the forward timeout, a blocking one at its own timeout plus the
 * forward timeout, a wait with no end once Redis answers no PING on the shared connection either.
 * A session Redis rightly leaves waiting, with Redis there, is not ended.
 */
class SilentPinnedSessionIT {
  private static final long FORWARD_TIMEOUT_MILLIS = 1000;
  // A loaded machine's slack on top of each bound.
  private static final long SLACK_MILLIS = 3000;

  private TestRedis redis;
  private FaultyRelay relay;
  private ProxyProcess proxy;

  @BeforeEach
  void start() {
    redis = TestRedis.started();
    relay = FaultyRelay.to(redis.port());
    proxy = ProxyProcess.start(relay.address(), Map.of("PROXY_RESP_FORWARD_TIMEOUT", FORWARD_TIMEOUT_MILLIS + "ms"));
  }

  @AfterEach
  void stop() {
    if (relay != null) relay.heal(); // a proxy that hears Redis stops at once
    if (proxy != null) proxy.close();
    if (relay != null) relay.close();
    if (redis != null) redis.close();
  }

  private RespSocket client() {
    return new RespSocket(proxy.respPort(), Duration.ofSeconds(30));
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void aTransactionWaitingOnASilentRedisEndsAtTheForwardTimeoutWithAnError() {
    try (RespSocket client = client()) {
      assertEquals("+OK\r\n", client.send(command("MULTI")).readLine());
      relay.stall(FaultyRelay.Direction.FROM_REDIS);
      long sent = System.nanoTime();
      String reply = client.send(command("SET", "k", "v")).readLine();
      long waited = millisSince(sent);
      System.out.println("SilentPinnedSessionIT: a SET in MULTI on a silent Redis answered after " + waited + " ms");
      assertTrue(reply.startsWith("-ERR the backing Redis did not answer within 1000ms"), reply);
      assertTrue(waited >= FORWARD_TIMEOUT_MILLIS - 50 && waited < FORWARD_TIMEOUT_MILLIS + SLACK_MILLIS,
          "answered after " + waited + " ms");
      assertTrue(client.closedByPeer(), "the session's connection is closed");
    }
    relay.heal();
    try (RespSocket client = client()) {
      assertEquals("+OK\r\n", client.send(command("MULTI")).readLine(), "a new session works once Redis is heard");
    }
  }

  @Test
  void aBlockingCommandMayWaitItsOwnTimeoutAndOnASilentRedisEndsByItPlusTheForwardTimeout() {
    try (RespSocket client = client()) {
      long sent = System.nanoTime();
      assertEquals("*-1\r\n", client.send(command("BLPOP", "empty-list", "2")).readLine(), "Redis's own timeout");
      assertTrue(millisSince(sent) >= 1900, "BLPOP waited its own 2 s, past the forward timeout");

      // Stalled: at its own timeout plus the forward timeout at the latest; sooner when Redis
      // answers no PING on the shared connection meanwhile (silent for the forward timeout, then a
      // PING unanswered for as long), which is what happens here.
      sent = System.nanoTime();
      client.send(command("BLPOP", "empty-list", "2"));
      relay.stall(FaultyRelay.Direction.FROM_REDIS);
      String reply = client.readLine();
      long waited = millisSince(sent);
      System.out.println("SilentPinnedSessionIT: BLPOP k 2 on a silent Redis answered after " + waited + " ms");
      assertTrue(reply.startsWith("-ERR the backing Redis answered no PING within 1000ms")
          || reply.startsWith("-ERR the backing Redis did not answer within 1000ms"), reply);
      assertTrue(waited < 2000 + FORWARD_TIMEOUT_MILLIS + SLACK_MILLIS, "answered after " + waited + " ms");
      assertTrue(client.closedByPeer(), "the session's connection is closed");
    }
  }

  @Test
  void aWaitWithNoEndOnASilentRedisEndsOnceRedisAnswersNoPing() {
    try (RespSocket blocked = client()) {
      blocked.send(command("BLPOP", "empty-list", "0"));
      relay.stall(FaultyRelay.Direction.FROM_REDIS);
      long stalled = System.nanoTime();
      String reply = blocked.readLine();
      long waited = millisSince(stalled);
      System.out.println("SilentPinnedSessionIT: BLPOP k 0 told after " + waited + " ms of a silent Redis");
      assertTrue(reply.startsWith("-ERR the backing Redis answered no PING within 1000ms"), reply);
      // silent for the forward timeout, then a PING unanswered for the forward timeout
      assertTrue(waited < 2 * FORWARD_TIMEOUT_MILLIS + SLACK_MILLIS, "answered after " + waited + " ms");
      assertTrue(blocked.closedByPeer(), "the session's connection is closed");
    }
  }

  @Test
  void aQuietSubscriberStaysWhileRedisAnswersAndIsToldWhenRedisFallsSilent() {
    try (RespSocket subscriber = client()) {
      subscriber.send(command("SUBSCRIBE", "news"));
      assertEquals("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", subscriber.readReply());
      // Quiet for three forward timeouts, Redis there: the session stays and hears a message.
      assertTrue(subscriber.silentFor(Duration.ofMillis(3 * FORWARD_TIMEOUT_MILLIS)), "a quiet subscriber was told something");
      assertEquals(1L, (long) redis.commands().publish(TestRedis.bytes("news"), TestRedis.bytes("hello")));
      assertEquals("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", subscriber.readReply());

      relay.stall(FaultyRelay.Direction.FROM_REDIS);
      long stalled = System.nanoTime();
      String reply = subscriber.readLine();
      long waited = millisSince(stalled);
      System.out.println("SilentPinnedSessionIT: a subscriber told after " + waited + " ms of a silent Redis");
      assertTrue(reply.startsWith("-ERR the backing Redis answered no PING within 1000ms"), reply);
      assertTrue(waited < 2 * FORWARD_TIMEOUT_MILLIS + SLACK_MILLIS, "answered after " + waited + " ms");
      assertTrue(subscriber.closedByPeer(), "the session's connection is closed");
    }
  }
}
