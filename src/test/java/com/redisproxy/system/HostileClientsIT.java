package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Malformed, oversized, slow and greedy clients: each gets a clear answer and the others are served. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileClientsIT {
  private TestRedis redis;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
    proxy = ProxyProcess.start(redis.address(), Map.of(
        "JAVA_TOOL_OPTIONS", "-Dpekko.http.server.idle-timeout=1s -Dpekko.http.server.parsing.max-uri-length=4k",
        "CACHE_MAX_VALUE_BYTES", "1000",
        "PROXY_RESP_MAX_READING_BYTES", "1000000"));
    redis.set("innocent", "still served");
  }

  @AfterAll
  void stop() {
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  @AfterEach
  // Within a deadline: on a starved machine (load 20 on 2 cores) the invalidation lease may lapse
  // while the flood runs, and reads then fail fast until the proxy has reconnected, as documented.
  void othersAreStillServedCorrectly() {
    Eventually.await(Duration.ofSeconds(15), "another client is served over HTTP",
        () -> "still served".equals(ProxyProcess.body(proxy.get("innocent"))));
    Eventually.await(Duration.ofSeconds(15), "another client is served over RESP", () -> {
      try (RespSocket client = new RespSocket(proxy.respPort())) {
        return client.call(command("GET", "innocent"), "$12\r\nstill served\r\n").equals("$12\r\nstill served\r\n");
      }
    });
  }

  private String rawHttp(String request) {
    try (RespSocket socket = new RespSocket(proxy.httpPort())) {
      socket.send(request);
      return socket.readLine();
    }
  }

  @Test
  void aReplicasHandshakeIsRefusedAtOnceAndTheSharedConnectionServesTheOthers() {
    try (RespSocket replica = new RespSocket(proxy.respPort()); RespSocket other = new RespSocket(proxy.respPort())) {
      for (String[] handshake : List.of(new String[] {"SYNC"}, new String[] {"PSYNC", "?", "-1"},
          new String[] {"REPLCONF", "listening-port", "6390"})) {
        String reply = replica.send(command(handshake)).readLine();
        assertEquals("-ERR " + handshake[0] + " is not supported through the proxy: connect a replica to Redis itself\r\n",
            reply);
        assertEquals("+OK\r\n", other.call(command("SET", "after-" + handshake[0], "v"), "+OK\r\n"));
        assertEquals("$1\r\nv\r\n", other.call(command("GET", "after-" + handshake[0]), "$1\r\nv\r\n"));
      }
    }
  }

  @Test
  void aScriptsDeeplyNestedReplyIsRelayedAsRedisSendsIt() {
    // A table that holds itself: Redis nests it until Lua's stack runs out, then says so inside.
    String recursive = command("EVAL", "local a = {} local b = {a} a[1] = b return a", "0") + command("PING");
    String direct;
    try (RespSocket redisItself = new RespSocket(redis.port())) {
      direct = redisItself.send(recursive).readThrough("+PONG\r\n");
    }
    assertTrue(direct.length() > 1000, "Redis nests the reply: " + direct.length() + " bytes");
    try (RespSocket client = new RespSocket(proxy.respPort()); RespSocket other = new RespSocket(proxy.respPort())) {
      assertEquals(direct, client.send(recursive).readThrough("+PONG\r\n"));
      assertEquals("+OK\r\n", other.call(command("SET", "after-nesting", "v"), "+OK\r\n"));
    }
  }

  @Test
  void anOverlongUriIs414() {
    assertTrue(rawHttp("GET /proxy?key=" + "k".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 414"));
  }

  @Test
  void aHugeHeaderIs431() {
    String status = rawHttp("GET /proxy?key=a HTTP/1.1\r\nHost: x\r\nX-Big: " + "v".repeat(20_000) + "\r\n\r\n");
    assertTrue(status.startsWith("HTTP/1.1 431"), status);
  }

  @Test
  void malformedRequestsAndBadPercentEncodingGetA4xxOr501() {
    assertTrue(rawHttp("GET /proxy?key=%zz HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 400"));
    assertTrue(rawHttp("GET /proxy?key=a HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n").startsWith("HTTP/1.1 400"));
    assertTrue(rawHttp("GARBAGE /proxy?key=a HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 501"));
  }

  @Test
  void aClientThatNeverFinishesItsRequestIsDisconnected() {
    try (RespSocket slow = new RespSocket(proxy.httpPort())) {
      slow.send("GET /proxy?key=innocent HTTP/1.1\r\nHost:");
      long start = System.nanoTime();
      assertTrue(slow.closedByPeer(), "the idle connection is closed");
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(8).toNanos());
    }
  }

  @Test
  void largeRequestsBeingReadAtOnceShareOneBudgetAndTheOneOverItIsRefused() {
    String value = "v".repeat(600_000);
    String header = "*3\r\n$3\r\nSET\r\n$5\r\nlarge\r\n$600000\r\n";
    try (RespSocket first = new RespSocket(proxy.respPort()); RespSocket second = new RespSocket(proxy.respPort())) {
      // One write, so one read: once PING is answered, the SET's header after it was read too and
      // its 600 KB are taken from the budget.
      first.send(command("PING") + header + value.substring(0, 1000));
      assertEquals("+PONG\r\n", first.readLine());
      String refused = second.send(header).readLine();
      assertTrue(refused.startsWith("-ERR Protocol error: the proxy is reading 1000000 bytes of requests"), refused);
      assertTrue(second.closedByPeer());
      first.send(value.substring(1000) + "\r\n");
      assertEquals("+OK\r\n", first.readLine());
    }
    try (RespSocket third = new RespSocket(proxy.respPort())) {
      assertEquals("+OK\r\n", third.call(header + value + "\r\n", "+OK\r\n"), "the budget was given back");
    }
  }

  @Test
  void aValueOverTheSizeLimitIsServedButNotCached() {
    redis.commands().set(TestRedis.bytes("large"), new byte[5000]);
    assertEquals(5000, proxy.get("large").body().length);
    assertEquals("MISS", proxy.get("large").headers().firstValue("X-Cache").orElseThrow());
  }

  @Test
  void binaryGarbageOverRespIsAProtocolErrorAndCloses() {
    byte[] garbage = new byte[4096];
    new Random(7).nextBytes(garbage);
    garbage[0] = '*';
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      client.send(garbage);
      assertTrue(client.readLine().startsWith("-ERR Protocol error"));
      assertTrue(client.closedByPeer());
    }
  }

  @Test
  void aTruncatedFrameLeftHangingDoesNotDisturbAnyone() {
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      client.send("*2\r\n$3\r\nGET\r\n$100\r\nonly a part");
    }
  }

  @Test
  void aRespClientThatFloodsWithoutReadingIsNoLongerReadInsteadOfBuffered() throws Exception {
    assertFloodIsBackpressured(proxy.respPort(), "PING\r\n".repeat(10_000));
  }

  @Test
  void anHttpClientThatPipelinesTinyRequestsWithoutReadingIsNoLongerReadAndBreaksNothing() throws Exception {
    // The smallest keep-alive requests, the most per read: once, they overflowed pekko-http's
    // parser stack and ended the JVM (see io.tcp.direct-buffer-size in proxy-pekko.conf).
    assertFloodIsBackpressured(proxy.httpPort(), "GET / HTTP/1.1\r\nHost:x\r\n\r\n".repeat(1_000));
  }

  /**
   * Writes {@code chunk} over and over without reading a byte of the replies, and expects the
   * proxy to stop reading (the writes stall, far below what was offered) while it serves others.
   */
  private void assertFloodIsBackpressured(int port, String chunk) throws IOException {
    byte[] bytes = chunk.getBytes(StandardCharsets.US_ASCII);
    long offered = 20_000L * bytes.length;
    AtomicLong written = new AtomicLong();
    try (Socket flooder = new Socket("127.0.0.1", port)) {
      flooder.setReceiveBufferSize(64 * 1024);
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = flooder.getOutputStream();
          for (int i = 0; i < 20_000; i++) {
            out.write(bytes);
            written.addAndGet(bytes.length);
          }
        } catch (IOException closedByTheTest) {
          // the test closes the socket to end the flood
        }
      });
      writer.setDaemon(true);
      writer.start();
      StallDetector stall = new StallDetector(written, Duration.ofMillis(500));
      Eventually.await(Duration.ofSeconds(30), "the flood stalls: the proxy stopped reading", stall::stalled);
      assertTrue(written.get() < Math.min(offered, 200L * 1024 * 1024),
          "wrote " + written.get() + " of " + offered + " bytes before the proxy pushed back");
      othersAreStillServedCorrectly();
    }
  }

  /** True once a counter has not moved for a whole window, as seen by successive polls. */
  private static final class StallDetector {
    private final AtomicLong counter;
    private final long windowNanos;
    private long lastValue = -1;
    private long unchangedSince;

    StallDetector(AtomicLong counter, Duration window) {
      this.counter = counter;
      this.windowNanos = window.toNanos();
    }

    boolean stalled() {
      long value = counter.get();
      long now = System.nanoTime();
      if (value != lastValue) {
        lastValue = value;
        unchangedSince = now;
        return false;
      }
      return value > 0 && now - unchangedSince >= windowNanos;
    }
  }
}
