package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Many clients at once: the client limit, coalescing, hits while Redis stalls, and a mixed load. */
class ConcurrencyIT {

  /** An HTTP/1.1 request on a raw socket, so the test decides which connection is used. */
  private static String httpOver(RespSocket socket, String path) {
    socket.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    StringBuilder head = new StringBuilder();
    String line;
    int contentLength = 0;
    while (!(line = socket.readLine()).equals("\r\n") && !line.isEmpty()) {
      head.append(line);
      if (line.toLowerCase().startsWith("content-length:")) contentLength = Integer.parseInt(line.substring(15).trim());
    }
    return head + "\r\n" + socket.read(contentLength);
  }

  @Test
  void theClientLimitReloadsOnSighupWithoutClosingAnyoneOpen() throws Exception {
    java.nio.file.Path conf = java.nio.file.Files.createTempFile("redis-proxy-clients", ".conf");
    java.nio.file.Files.writeString(conf, "redis-proxy.max-clients = 1\n");
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("JAVA_TOOL_OPTIONS", "-Dconfig.file=" + conf));
        RespSocket first = new RespSocket(proxy.respPort())) {
      assertEquals("+PONG\r\n", first.call(command("PING"), "+PONG\r\n"));
      assertTrue(refused(proxy), "a second client over a limit of one");

      java.nio.file.Files.writeString(conf, "redis-proxy.max-clients = 2\n");
      proxy.sendSighup();
      java.util.concurrent.atomic.AtomicReference<RespSocket> admitted = new java.util.concurrent.atomic.AtomicReference<>();
      Eventually.await(Duration.ofSeconds(20), "the raised limit admits a second client",
          () -> {
            admitted.set(admitted(proxy));
            return admitted.get() != null;
          });
      RespSocket second = admitted.get();
      assertTrue(refused(proxy), "and a third is over the raised limit");

      java.nio.file.Files.writeString(conf, "redis-proxy.max-clients = 1\n");
      proxy.sendSighup();
      Eventually.await(Duration.ofSeconds(20), "the log says the limit was lowered",
          () -> proxy.output().contains("max-clients 1 (other settings"));
      assertEquals("+PONG\r\n", first.call(command("PING"), "+PONG\r\n"), "a lowered limit closes no one");
      assertEquals("+PONG\r\n", second.call(command("PING"), "+PONG\r\n"));
      second.close();
      Eventually.await(Duration.ofSeconds(5), "one open of one: still full", () -> refused(proxy));
    } finally {
      java.nio.file.Files.deleteIfExists(conf);
    }
  }

  /** A new RESP client answered with the limit's refusal. */
  private static boolean refused(ProxyProcess proxy) {
    try (RespSocket next = new RespSocket(proxy.respPort())) {
      next.send(command("PING"));
      return next.readLine().equals("-ERR max number of clients reached\r\n");
    }
  }

  /** A new RESP client, when it is admitted (it answers PING); null when refused. */
  private static RespSocket admitted(ProxyProcess proxy) {
    RespSocket next = new RespSocket(proxy.respPort());
    next.send(command("PING"));
    if (next.readLine().equals("+PONG\r\n")) return next;
    next.close();
    return null;
  }

  @Test
  void theRespClientLimitRefusesConnectionNPlusOneAtOnceAndAFreedSlotIsUsable() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("PROXY_MAX_CLIENTS", "3"))) {
      List<RespSocket> admitted = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RespSocket client = new RespSocket(proxy.respPort());
        assertEquals("+PONG\r\n", client.call(command("PING"), "+PONG\r\n"));
        admitted.add(client);
      }
      try (RespSocket refused = new RespSocket(proxy.respPort())) {
        long start = System.nanoTime();
        assertEquals("-ERR max number of clients reached\r\n", refused.readLine());
        assertTrue(refused.closedByPeer());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "refusal was not prompt");
      }
      for (RespSocket client : admitted) assertEquals("+PONG\r\n", client.call(command("PING"), "+PONG\r\n"));
      admitted.remove(0).close();
      Eventually.await(Duration.ofSeconds(5), "a freed slot admits a new client", () -> {
        try (RespSocket next = new RespSocket(proxy.respPort())) {
          return next.call(command("PING"), "+PONG\r\n").equals("+PONG\r\n");
        }
      });
      admitted.forEach(RespSocket::close);
    }
  }

  @Test
  void theHttpClientLimitAnswers503WithRetryAfterAndAFreedSlotIsUsable() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("PROXY_MAX_CLIENTS", "3"))) {
      List<RespSocket> admitted = new ArrayList<>();
      for (int i = 0; i < 3; i++) admitted.add(admittedOverHttp(proxy));
      try (RespSocket refused = new RespSocket(proxy.httpPort())) {
        String response = httpOver(refused, "/health");
        assertTrue(response.startsWith("HTTP/1.1 503"), response);
        assertTrue(response.contains("Retry-After: 1"), response);
        assertTrue(response.contains("Connection: close"), response);
        assertTrue(response.contains("max number of clients reached"), response);
        assertTrue(refused.closedByPeer());
      }
      for (RespSocket client : admitted) assertTrue(httpOver(client, "/health").startsWith("HTTP/1.1 200"));
      admitted.remove(0).close();
      Eventually.await(Duration.ofSeconds(5), "a freed slot admits a new client",
          () -> httpOverNewSocket(proxy).startsWith("HTTP/1.1 200"));
      admitted.forEach(RespSocket::close);
    }
  }

  /**
   * A client that got a 200. ProxyProcess.start's health check closed its connection, but the
   * proxy frees that slot when it sees the close, which on a busy machine can come after the test's
   * next connect: until then a 503 is the right answer, so wait for the admission.
   */
  private static RespSocket admittedOverHttp(ProxyProcess proxy) {
    List<RespSocket> admitted = new ArrayList<>(1);
    Eventually.await(Duration.ofSeconds(10), "an HTTP client is admitted", () -> {
      RespSocket client = new RespSocket(proxy.httpPort());
      if (httpOver(client, "/health").startsWith("HTTP/1.1 200")) return admitted.add(client);
      client.close();
      return false;
    });
    return admitted.get(0);
  }

  private static String httpOverNewSocket(ProxyProcess proxy) {
    try (RespSocket socket = new RespSocket(proxy.httpPort())) {
      return httpOver(socket, "/health");
    }
  }

  /**
   * Fetch and ask timeouts of {@code seconds} and a bit more: these tests check values and
   * ordering, not latency, and on a busy 2-core machine a fetch can take longer than the 2 s default.
   */
  private static Map<String, String> patientFetches(int seconds) {
    return Map.of("REDIS_FETCH_TIMEOUT", seconds + "s",
        "JAVA_TOOL_OPTIONS", "-Dredis-proxy.ask-timeout=" + (seconds + 5) + "s");
  }

  @Test
  void concurrentMissesForOneKeyMakeOneBackingGetAndHitsAreServedWhileRedisIsPaused() throws Exception {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), patientFetches(12))) {
      redis.set("hot", "cached before the pause");
      redis.set("coalesced", "one fetch");
      assertEquals(200, proxy.get("hot").statusCode());
      redis.commands().configResetstat();

      redis.commands().clientPause(6_000);
      long pausedAt = System.nanoTime();
      HttpClient http = HttpClient.newHttpClient();
      List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + proxy.httpPort() + "/proxy?key=coalesced")).build();
        waiting.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      HttpResponse<byte[]> hit = proxy.get("hot");
      assertEquals(200, hit.statusCode());
      try (RespSocket resp = new RespSocket(proxy.respPort())) {
        String expected = "$23\r\ncached before the pause\r\n";
        assertEquals(expected, resp.call(command("GET", "hot"), expected));
      }
      long hitsServedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);
      assertTrue(hitsServedAfter < 4_500, "hits were served " + hitsServedAfter + " ms into a 6 s pause of Redis");
      assertTrue(waiting.stream().noneMatch(CompletableFuture::isDone), "a miss was answered while Redis was paused");

      for (CompletableFuture<HttpResponse<String>> response : waiting) {
        HttpResponse<String> answered = response.get(30, TimeUnit.SECONDS);
        assertEquals(200, answered.statusCode());
        assertEquals("one fetch", answered.body());
      }
      String stats = new String(redis.commands().info("commandstats").getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      Matcher calls = Pattern.compile("cmdstat_get:calls=(\\d+)").matcher(stats);
      assertTrue(calls.find(), stats);
      assertEquals(1, Integer.parseInt(calls.group(1)), "backing GETs for 50 concurrent misses:\n" + stats);
    }
  }

  @Test
  void aFewHundredConcurrentClientsOverBothFrontEndsGetEveryValueRight() throws Exception {
    Map<String, String> env = new HashMap<>(patientFetches(20));
    env.put("CACHE_CAPACITY", "100");
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), env)) {
      for (int k = 0; k < 200; k++) redis.set("load" + k, "value-" + k);
      int clients = 300;
      int requestsEach = 40;
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      List<Future<Integer>> checked = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        checked.add(pool.submit(() -> client % 2 == 0
            ? readOverResp(proxy, client, requestsEach)
            : readOverHttp(proxy, client, requestsEach)));
      }
      int total = 0;
      for (Future<Integer> result : checked) total += result.get(120, TimeUnit.SECONDS);
      pool.shutdown();
      assertEquals(clients * requestsEach, total);
    }
  }

  /**
   * Hundreds of connects arrive at a cold proxy at once: the kernel holds them in the listen queue
   * and the proxy accepts them as fast as it can set up each connection's stream, which on a busy
   * 2-core machine takes seconds for the whole burst. So the first answer of each client may take
   * that long; the default deadlines of 10 s are sized for one client on a quiet machine.
   */
  private static final Duration BURST_DEADLINE = Duration.ofSeconds(60);

  /** Keys 0..199 exist, 200..249 do not; with capacity 100 the load hits, misses and evicts. */
  private static String expectedValue(int key) {
    return key < 200 ? "value-" + key : null;
  }

  private static int readOverResp(ProxyProcess proxy, int client, int requests) {
    try (RespSocket socket = new RespSocket(proxy.respPort(), BURST_DEADLINE)) {
      for (int i = 0; i < requests; i++) {
        int key = (client * 31 + i * 7) % 250;
        String value = expectedValue(key);
        String expected = value == null ? "$-1\r\n" : "$" + value.length() + "\r\n" + value + "\r\n";
        assertEquals(expected, socket.call(command("GET", "load" + key), expected), "key load" + key);
      }
    }
    return requests;
  }

  private static int readOverHttp(ProxyProcess proxy, int client, int requests) {
    for (int i = 0; i < requests; i++) {
      int key = (client * 31 + i * 7) % 250;
      String value = expectedValue(key);
      HttpResponse<byte[]> response = proxy.get("load" + key, BURST_DEADLINE);
      if (value == null) {
        assertEquals(404, response.statusCode(), "key load" + key);
      } else {
        assertEquals(200, response.statusCode(), "key load" + key);
        assertEquals(value, ProxyProcess.body(response), "key load" + key);
      }
    }
    return requests;
  }
}
