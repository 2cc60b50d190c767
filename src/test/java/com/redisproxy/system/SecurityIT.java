package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Client authentication on both front ends, and protected mode, on the real jar. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityIT {
  // A space and a '!' make it something pekko-http's Bearer model cannot parse: the raw header is read.
  private static final String PASSWORD = "Top secret!pw";
  private static final String NOAUTH = "-NOAUTH Authentication required.\r\n";
  private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private TestRedis redis;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
    redis.set("k", "v");
    proxy = ProxyProcess.start(redis.address(), Map.of("PROXY_PASSWORD", PASSWORD));
  }

  @AfterAll
  void stop() {
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  private static HttpResponse<String> get(ProxyProcess proxy, String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
        .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) request.headers(headers);
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String bearer(String password) {
    return "Bearer " + password;
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static double authFailures(ProxyProcess proxy, String frontEnd) {
    String text = get(proxy, "/metrics").body();
    String series = "proxy_auth_failures_total{frontend=\"" + frontEnd + "\"}";
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
    if (!value.find()) throw new AssertionError("no series " + series + " in:\n" + text);
    return Double.parseDouble(value.group(1));
  }

  private static void assertUnauthorized(HttpResponse<String> response) {
    assertEquals(401, response.statusCode(), response.body());
    assertEquals(java.util.List.of("Bearer realm=\"redis-proxy\"", "Basic realm=\"redis-proxy\", charset=\"UTF-8\""),
        response.headers().allValues("WWW-Authenticate"));
    assertTrue(response.body().startsWith("{\"error\":\"unauthorized\",\"message\":"), response.body());
    assertFalse(response.body().contains(PASSWORD), response.body());
  }

  @Test
  void respRefusesCommandsUntilAuthAndAWrongPasswordKeepsTheConnectionOpen() {
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      assertEquals(NOAUTH, client.call(command("GET", "k"), NOAUTH));
      assertEquals(NOAUTH, client.call(command("PING"), NOAUTH));
      assertEquals(WRONGPASS, client.call(command("AUTH", "wrong"), WRONGPASS));
      assertEquals(WRONGPASS, client.call(command("AUTH", "someone", PASSWORD), WRONGPASS));
      assertEquals(NOAUTH, client.call(command("GET", "k"), NOAUTH));
      assertEquals("+OK\r\n", client.call(command("AUTH", PASSWORD), "+OK\r\n"));
      assertEquals("$1\r\nv\r\n", client.call(command("GET", "k"), "$1\r\nv\r\n"));
    }
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      assertEquals("+OK\r\n", client.call(command("AUTH", "default", PASSWORD), "+OK\r\n"));
      assertEquals("$1\r\nv\r\n", client.call(command("GET", "k"), "$1\r\nv\r\n"));
    }
  }

  @Test
  void helloWithAuthAuthenticatesAndAWrongOneGetsWrongpassAlone() {
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      assertEquals(WRONGPASS, client.call(command("HELLO", "2", "AUTH", "default", "wrong"), WRONGPASS));
      assertEquals(NOAUTH, client.call(command("GET", "k"), NOAUTH));
      client.send(command("HELLO", "2", "AUTH", "default", PASSWORD));
      assertEquals("*14\r\n", client.readLine());
      assertEquals("$6\r\n", client.readLine());
      assertEquals("server\r\n", client.readLine());
      for (int line = 0; line < 23; line++) client.readLine(); // the rest of the server map
      assertEquals("$1\r\nv\r\n", client.call(command("GET", "k"), "$1\r\nv\r\n"));
    }
  }

  @Test
  void forwardedAndPinningCommandsAskForAuthToAndHelloThreeAuthenticatesToTheProxy() {
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      assertEquals(NOAUTH, client.call(command("SET", "k", "overwritten"), NOAUTH));
      assertEquals(NOAUTH, client.call(command("BLPOP", "secured-list", "1"), NOAUTH));
      assertEquals(NOAUTH, client.call(command("INFO"), NOAUTH));
      assertEquals(WRONGPASS, client.call(command("HELLO", "3", "AUTH", "default", "wrong"), WRONGPASS));
      assertEquals(NOAUTH, client.call(command("SET", "k", "overwritten"), NOAUTH));
      client.send(command("HELLO", "3", "AUTH", "default", PASSWORD));
      assertTrue(client.readLine().startsWith("%"), "the proxy's RESP3 map");
      assertEquals("v", new String(redis.commands().get(TestRedis.bytes("k")), StandardCharsets.UTF_8),
          "the SETs refused before AUTH never reached Redis");
    }
  }

  @Test
  void beforeAuthRequestsHaveRedissTighterLimitsAndAfterItRedissOwn() {
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      assertEquals("-ERR Protocol error: unauthenticated multibulk length\r\n", client.send("*11\r\n").readLine());
      assertTrue(client.closedByPeer());
    }
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      assertEquals("-ERR Protocol error: unauthenticated bulk length\r\n", client.send("*1\r\n$16385\r\n").readLine());
      assertTrue(client.closedByPeer());
    }
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      String value = "x".repeat(20_000);
      client.send(command("AUTH", PASSWORD) + command("SET", "after-auth", value));
      assertEquals("+OK\r\n", client.readLine());
      assertEquals("+OK\r\n", client.readLine(), "a request pipelined after AUTH is read with the limits AUTH leaves");
    }
  }

  @Test
  void aPipelineIsAuthorisedInRequestOrder() {
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      String expected = NOAUTH + NOAUTH + "+OK\r\n$1\r\nv\r\n";
      assertEquals(expected, client.call(
          command("GET", "k") + command("MGET", "k", "k") + command("AUTH", PASSWORD) + command("GET", "k"), expected));
    }
  }

  @Test
  void lettuceAuthenticatesWithItsOwnHandshake() {
    RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(proxy.respPort())
        .withAuthentication("default", PASSWORD).build();
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertEquals("v", connection.sync().get("k"));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void httpProxyAsksForCredentialsAndTakesBearerOrBasicDefault() {
    assertUnauthorized(get(proxy, "/proxy?key=k"));
    assertUnauthorized(get(proxy, "/proxy?key=k", "Authorization", bearer("wrong")));
    assertUnauthorized(get(proxy, "/proxy?key=k", "Authorization", bearer(PASSWORD + "x")));
    assertUnauthorized(get(proxy, "/proxy?key=k", "Authorization", basic("default", "wrong")));
    assertUnauthorized(get(proxy, "/proxy?key=k", "Authorization", basic("admin", PASSWORD)));
    assertUnauthorized(get(proxy, "/proxy/?key=k", "Authorization", "Digest username=\"default\""));

    HttpResponse<String> withBearer = get(proxy, "/proxy?key=k", "Authorization", bearer(PASSWORD));
    assertEquals(200, withBearer.statusCode(), withBearer.body());
    assertEquals("v", withBearer.body());
    HttpResponse<String> withBasic = get(proxy, "/proxy?key=k", "Authorization", basic("default", PASSWORD));
    assertEquals(200, withBasic.statusCode(), withBasic.body());
    assertEquals("v", withBasic.body());
  }

  @Test
  void healthReadyAndByDefaultMetricsStayOpen() {
    assertEquals(200, get(proxy, "/health").statusCode());
    // Open means never 401; /ready may say 503 for a moment on a loaded machine (a heartbeat late).
    Eventually.await(Duration.ofSeconds(30), "/ready answers 200 without credentials",
        () -> get(proxy, "/ready").statusCode() == 200);
    assertEquals(200, get(proxy, "/metrics").statusCode());
  }

  @Test
  void failuresAreCountedPerFrontEndAndAMissingHeaderIsNoGuess() {
    double http = authFailures(proxy, "http");
    double resp = authFailures(proxy, "resp");
    get(proxy, "/proxy?key=k", "Authorization", bearer("guess-1"));
    get(proxy, "/proxy?key=k", "Authorization", basic("default", "guess-2"));
    get(proxy, "/proxy?key=k");
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      client.call(command("AUTH", "guess-3"), WRONGPASS);
      client.call(command("AUTH", "default", "guess-4"), WRONGPASS);
      client.call(command("HELLO", "2", "AUTH", "default", "guess-5"), WRONGPASS);
      client.call(command("GET", "k"), NOAUTH);
    }
    assertEquals(http + 2, authFailures(proxy, "http"));
    assertEquals(resp + 3, authFailures(proxy, "resp"));
  }

  @Test
  void thePasswordAppearsNowhere() {
    // A wrong one pekko-http cannot parse either: its warning would quote the header.
    assertEquals(401, get(proxy, "/proxy?key=k", "Authorization", bearer("not it!")).statusCode());
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      client.call(command("AUTH", PASSWORD), "+OK\r\n");
      client.send(command("INFO"));
      String header = client.readLine();
      int length = Integer.parseInt(header.substring(1).trim());
      String info = client.read(length + 2);
      assertTrue(info.contains("redis_version:"), info);
      assertFalse(info.contains(PASSWORD), info);
    }
    assertFalse(get(proxy, "/metrics").body().contains(PASSWORD));
    String output = proxy.output();
    assertTrue(output.contains(", auth on"), output);
    assertFalse(output.contains(PASSWORD), output);
    assertFalse(output.contains("secret"), output);
    assertFalse(output.contains("not it!"), output);
  }

  @Test
  void metricsAskForThePasswordWhenTurnedOn() {
    try (ProxyProcess guarded = ProxyProcess.start(redis.address(),
        Map.of("PROXY_PASSWORD", PASSWORD, "PROXY_METRICS_AUTH", "on"))) {
      assertUnauthorized(get(guarded, "/metrics"));
      assertUnauthorized(get(guarded, "/metrics", "Authorization", bearer("wrong")));
      HttpResponse<String> metrics = get(guarded, "/metrics", "Authorization", bearer(PASSWORD));
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("proxy_auth_failures_total{frontend=\"http\"} 1.0"), metrics.body());
      assertEquals(200, get(guarded, "/health").statusCode());
      assertEquals(200, get(guarded, "/ready").statusCode());
    }
  }

  @Test
  void protectedModeRefusesToServeTheNetworkWithoutAPassword() {
    try (ProxyProcess refused = ProxyProcess.launch(Map.of("REDIS_ADDRESS", redis.address(), "PROXY_HOST", "0.0.0.0"))) {
      assertEquals(2, refused.awaitExitAtStart(), refused.output());
      String[] lines = refused.output().strip().split("\n");
      assertEquals(1, lines.length, refused.output());
      assertTrue(lines[0].startsWith("redis-proxy: invalid configuration: PROXY_HOST (redis-proxy.host): '0.0.0.0'"),
          lines[0]);
      assertTrue(lines[0].contains("set PROXY_PASSWORD, or PROXY_PROTECTED_MODE=off"), lines[0]);
    }
  }

  @Test
  void withProtectedModeOffItServesTheNetworkWithoutAPassword() {
    try (ProxyProcess open = ProxyProcess.start(redis.address(),
        Map.of("PROXY_HOST", "0.0.0.0", "PROXY_PROTECTED_MODE", "off"))) {
      assertEquals("v", get(open, "/proxy?key=k").body());
      assertTrue(open.output().contains(", auth off"), open.output());
      try (RespSocket client = new RespSocket(open.respPort())) {
        String noPassword = "-ERR AUTH <password> called without any password configured for the default user. "
            + "Are you sure your configuration is correct?\r\n";
        assertEquals(noPassword, client.call(command("AUTH", "x"), noPassword));
        assertEquals("$1\r\nv\r\n", client.call(command("GET", "k"), "$1\r\nv\r\n"));
      }
    }
  }
}
