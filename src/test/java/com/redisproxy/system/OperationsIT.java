package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Metrics, readiness, the JSON mode and the logs of the real jar. */
class OperationsIT {

  private static double metric(ProxyProcess proxy, String series) {
    String text = body(proxy.request("GET", "/metrics"));
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
    if (!value.find()) throw new AssertionError("no series " + series + " in:\n" + text);
    return Double.parseDouble(value.group(1));
  }

  private static String outcome(String frontEnd, String outcome) {
    return "proxy_requests_total{frontend=\"" + frontEnd + "\",outcome=\"" + outcome + "\"}";
  }

  @Test
  void metricsCountHitsMissesEvictionsAndExpirations() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(),
            // Long enough that a loaded machine reads the HIT and the counts before b expires (1.5 s was not).
            Map.of("CACHE_CAPACITY", "1", "GLOBAL_CACHE_EXPIRY", "6s", "PROXY_ACCESS_LOG", "on"))) {
      redis.set("a", "1");
      redis.set("b", "2");
      assertEquals("MISS", proxy.get("a").headers().firstValue("X-Cache").orElseThrow());
      assertEquals("HIT", proxy.get("a").headers().firstValue("X-Cache").orElseThrow());
      assertEquals("MISS", proxy.get("b").headers().firstValue("X-Cache").orElseThrow());
      assertEquals(404, proxy.get("absent").statusCode());

      assertEquals(1, metric(proxy, outcome("http", "hit")));
      assertEquals(2, metric(proxy, outcome("http", "miss")));
      assertEquals(1, metric(proxy, outcome("http", "not_found")));
      assertEquals(1, metric(proxy, "proxy_cache_hits_total"));
      assertEquals(3, metric(proxy, "proxy_cache_misses_total"));
      assertEquals(1, metric(proxy, "proxy_cache_evictions_total"));
      assertEquals(1, metric(proxy, "proxy_cache_keys"));
      assertEquals(3, metric(proxy, "proxy_redis_fetch_latency_seconds_count"));
      assertTrue(metric(proxy, "proxy_connections_open{frontend=\"http\"}") >= 1);
      assertTrue(metric(proxy, "jvm_threads_live_threads") > 0);

      Eventually.await(Duration.ofSeconds(30), "the expired key is swept and counted",
          () -> metric(proxy, "proxy_cache_expirations_total") == 1 && metric(proxy, "proxy_cache_keys") == 0);
      assertTrue(proxy.output().contains("GET /proxy 200 HIT"), "access log line:\n" + proxy.output());
    }
  }

  @Test
  void theKeysReadMostAreShownOverBothFrontEndsAndTheirShareAsAMetric() {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      redis.set("hot,key", "v");
      redis.set("cool", "v");
      for (int i = 0; i < 160; i++) assertEquals(200, proxy.get(i % 3 == 2 ? "cool" : "hot,key").statusCode());
      try (RespSocket client = new RespSocket(proxy.respPort())) {
        for (int i = 0; i < 40; i++) client.call(command("GET", "hot,key"), "$1\r\nv\r\n");
        String info = client.send(command("INFO", "proxy")).readThrough("\r\n\r\n");
        assertTrue(info.contains("cache_hot_key_1:reads="), info);
        assertTrue(info.matches("(?s).*cache_hot_key_1:reads=[0-9]+,max_overcount=[0-9]+,key=\"hot,key\"\r\n.*"), info);
        assertTrue(info.contains("cache_hot_key_2:") && info.contains("key=\"cool\""), info);
      }
      String json = body(proxy.request("GET", "/hotkeys"));
      assertTrue(json.startsWith("{\"top_keys_read_share\":"), json);
      assertTrue(json.contains("{\"key\":\"hot,key\",\"key_base64\":\"aG90LGtleQ==\",\"reads\":"), json);
      assertTrue(json.indexOf("hot,key") < json.indexOf("cool"), "most read first: " + json);
      assertTrue(metric(proxy, "proxy_cache_hot_keys_read_share") > 0.5, "the two keys are every read");
      assertFalse(body(proxy.request("GET", "/metrics")).contains("hot,key"), "no key names in the metrics");
    }
  }

  @Test
  void readyAndTheConnectedGaugeFollowTheBackingRedisWhileHealthStaysUp() {
    TestRedis redis = TestRedis.started();
    try (ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      Eventually.await(Duration.ofSeconds(10), "/ready is 200", () -> proxy.request("GET", "/ready").statusCode() == 200);
      assertEquals(1, metric(proxy, "proxy_redis_connected"));
      redis.stop();
      Eventually.await(Duration.ofSeconds(10), "/ready is 503 with Redis down",
          () -> proxy.request("GET", "/ready").statusCode() == 503);
      assertEquals(0, metric(proxy, "proxy_redis_connected"), "what the RedisProxyRedisUnreachable alert watches");
      assertEquals(200, proxy.request("GET", "/health").statusCode());
      redis.start();
      Eventually.await(Duration.ofSeconds(15), "/ready is 200 again", () -> proxy.request("GET", "/ready").statusCode() == 200);
      assertEquals(1, metric(proxy, "proxy_redis_connected"));
    } finally {
      redis.close();
    }
  }

  @Test
  void jsonModeAnswersLikeTheOriginalAndRefusesBinaryValues() throws Exception {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      redis.set("text", "héllo \"world\"");
      redis.commands().set(TestRedis.bytes("binary"), new byte[] {(byte) 0xff, 0, (byte) 0xfe});
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> text = http.send(jsonRequest(proxy, "text"), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, text.statusCode());
      assertEquals("application/json", text.headers().firstValue("Content-Type").orElseThrow());
      assertEquals("{\"key\":\"text\",\"cached_value\":\"héllo \\\"world\\\"\"}", text.body());
      HttpResponse<String> binary = http.send(jsonRequest(proxy, "binary"), HttpResponse.BodyHandlers.ofString());
      assertEquals(406, binary.statusCode());
      assertTrue(binary.body().contains("\"error\":\"not_acceptable\""), binary.body());
      assertEquals(3, proxy.get("binary").body().length, "raw bytes without the JSON Accept header");
    }
  }

  private static HttpRequest jsonRequest(ProxyProcess proxy, String key) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/proxy?key=" + key))
        .header("Accept", "application/json").build();
  }

  @Test
  void theStartUpLineNamesVersionListenersAndRedisButNeverThePassword() {
    try (TestRedis redis = TestRedis.started("requirepass s3cret-pw");
        ProxyProcess proxy = ProxyProcess.start("redis://:s3cret-pw@" + redis.address() + "/0", Map.of())) {
      redis.set("secured", "behind auth");
      // Redis's default user needs a password: an HTTP client acts as that user, so it sends it (issue 22).
      assertEquals(401, proxy.get("secured").statusCode());
      assertEquals("behind auth", body(proxy.getAs("secured", "Bearer s3cret-pw")));
      String output = proxy.output();
      assertTrue(output.contains("starting: HTTP 127.0.0.1:" + proxy.httpPort()
          + ", RESP 127.0.0.1:" + proxy.respPort() + ", backing Redis redis://127.0.0.1:" + redis.port() + "/0"), output);
      assertFalse(output.contains("s3cret-pw"), output);
    }
  }

  @Test
  void httpOpensOnlyOnceRespListensSoAHealthyProxyAcceptsOnBothPorts() {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of());
        RespSocket resp = new RespSocket(proxy.respPort())) {
      assertEquals("+PONG\r\n", resp.call(command("PING"), "+PONG\r\n"));
      String output = proxy.output();
      int respListening = output.indexOf("RESP front end listening on");
      int httpListening = output.indexOf("HTTP front end listening on");
      assertTrue(respListening >= 0 && httpListening > respListening, output);
    }
  }

  @Test
  void aWrongPasswordIsReportedWithRedisOwnReasonAndNeverShowsThePassword() {
    try (TestRedis redis = TestRedis.started("requirepass right-pw");
        ProxyProcess proxy = ProxyProcess.start("redis://:wrong-pw@" + redis.address(), Map.of())) {
      Eventually.await(Duration.ofSeconds(10), "the log names Redis's reason",
          () -> proxy.output().contains("WRONGPASS"));
      assertEquals(503, proxy.request("GET", "/ready").statusCode());
      // A client that sends the right password (it acts as Redis's default user) is not served
      // with the proxy's own connections down; the answer is a 5xx, without any password in it.
      HttpResponse<byte[]> response = proxy.getAs("anything", "Bearer right-pw");
      assertTrue(response.statusCode() >= 500, response.statusCode() + " " + body(response));
      assertFalse(body(response).contains("wrong-pw") || body(response).contains("right-pw"), body(response));
      assertFalse(proxy.output().contains("wrong-pw"), proxy.output());
    }
  }

  @Test
  void aMissingPasswordGives502SayingNoauth() {
    try (TestRedis redis = TestRedis.started("requirepass right-pw");
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      Eventually.await(Duration.ofSeconds(10), "502 names NOAUTH", () -> {
        HttpResponse<byte[]> response = proxy.get("anything");
        return response.statusCode() == 502 && body(response).contains("NOAUTH");
      });
    }
  }
}
