package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.redisproxy.system.support.DeployedQueries;
import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestPrometheus;
import com.redisproxy.system.support.TestRedis;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus scrapes the real jar: the target is up, the counters and the fetch-latency
 * histogram it stores are the figures the proxy's own INFO gives, and the shipped dashboard
 * queries and alert rules evaluate against what it stored.
 */
class PrometheusIT {
  private static final Duration SCRAPED_WITHIN = Duration.ofSeconds(30);
  private static final String JOB = "{job=\"" + TestPrometheus.JOB + "\"}";
  private static final int KEYS = 20;
  // what Prometheus 2.42 sends when it scrapes
  private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
      + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  @Test
  void prometheusStoresTheFiguresTheProxyReports() {
    assumeTrue(TestPrometheus.installed(),
        "prometheus is not installed (Debian: apt-get install prometheus): skipping the real-Prometheus test");
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of());
        TestPrometheus prometheus = TestPrometheus.scraping(proxy.httpPort(), DeployedQueries.ALERT_RULES)) {
      awaitValue(prometheus, "up" + JOB, 1);

      Map<String, Long> info = driveReadsThenReadInfo(redis, proxy);
      long fetches = info.get("cache_misses") - info.get("cache_coalesced_misses");
      assertEquals(3L * KEYS, info.get("cache_hits"), "every key read again is a hit: " + info);
      assertEquals(KEYS + 1L, info.get("cache_misses"), "each key's first read and the absent key miss: " + info);

      awaitValue(prometheus, "proxy_cache_hits_total" + JOB, info.get("cache_hits"));
      awaitValue(prometheus, "proxy_cache_misses_total" + JOB, info.get("cache_misses"));
      awaitValue(prometheus, "sum(proxy_requests_total{outcome=\"hit\"})", info.get("cache_hits"));
      awaitValue(prometheus, "proxy_cache_keys" + JOB, info.get("cached_keys"));
      awaitValue(prometheus, "proxy_redis_fetch_latency_seconds_count" + JOB, fetches);
      awaitValue(prometheus, "proxy_redis_fetch_latency_seconds_bucket{le=\"+Inf\"}", fetches);
      double median = prometheus.value("histogram_quantile(0.5, proxy_redis_fetch_latency_seconds_bucket)").orElseThrow();
      assertTrue(median > 0 && median < 1, "median fetch latency of a loopback Redis: " + median + " s");
      // for the record: what Prometheus's API said, next to the proxy's INFO
      System.out.println("INFO: " + info);
      System.out.println("Prometheus answered " + prometheus.query("proxy_cache_hits_total" + JOB));
      System.out.println("Prometheus answered " + prometheus.query("proxy_redis_fetch_latency_seconds_count" + JOB));

      AtomicReference<List<String>> empty = new AtomicReference<>();
      try {
        Eventually.await(SCRAPED_WITHIN, "every shipped dashboard query gives data", () -> {
          empty.set(DeployedQueries.dashboardExpressions().stream().filter(query -> !givesData(prometheus, query)).toList());
          return empty.get().isEmpty();
        });
      } catch (AssertionError someEmpty) {
        throw new AssertionError("dashboard queries without data: " + empty.get(), someEmpty);
      }
      Eventually.await(SCRAPED_WITHIN, "every alert rule has been evaluated without error", () -> {
        String rules = prometheus.rules();
        return Pattern.compile("\"health\":\"ok\"").matcher(rules).results().count()
            == DeployedQueries.alertExpressions().size();
      });
      assertFalse(prometheus.rules().contains("\"state\":\"firing\""), "no alert fires on a healthy proxy: " + prometheus.rules());
    }
  }

  @Test
  void theWireCarriesEachFormatsExactContentType() throws Exception {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8",
          contentTypeOnTheWire(proxy, "Accept: " + PROMETHEUS_ACCEPT + "\r\n"));
      assertEquals("text/plain; version=0.0.4; charset=utf-8", contentTypeOnTheWire(proxy, ""));
    }
  }

  /** The Content-Type header of GET /metrics as the bytes arrive, read from a socket rather than a client's parsed headers. */
  private static String contentTypeOnTheWire(ProxyProcess proxy, String extraHeaders) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", proxy.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Matcher header = Pattern.compile("(?m)^Content-Type: ([^\r\n]*)\r\n").matcher(response.substring(0, response.indexOf("\r\n\r\n") + 2));
      if (!header.find()) throw new AssertionError("no Content-Type in:\n" + response);
      return header.group(1);
    }
  }

  /** Each key read twice over HTTP, then twice over RESP (a miss, then three hits), and one absent key. */
  private static Map<String, Long> driveReadsThenReadInfo(TestRedis redis, ProxyProcess proxy) {
    for (int i = 0; i < KEYS; i++) redis.set("key" + i, "value" + i);
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      for (int i = 0; i < KEYS; i++) {
        String reply = "$" + ("value" + i).length() + "\r\nvalue" + i + "\r\n";
        assertEquals(200, proxy.get("key" + i).statusCode());
        assertEquals(200, proxy.get("key" + i).statusCode());
        assertEquals(reply, client.call(command("GET", "key" + i), reply));
        assertEquals(reply, client.call(command("GET", "key" + i), reply));
      }
      assertEquals(404, proxy.get("absent").statusCode());
      client.send(command("INFO", "proxy")); // the proxy's own section; the rest of INFO is Redis's
      String header = client.readLine();
      return figures(client.read(Integer.parseInt(header.substring(1).trim()) + 2));
    }
  }

  private static Map<String, Long> figures(String info) {
    Map<String, Long> figures = new HashMap<>();
    for (String line : info.split("\r\n")) {
      Matcher field = Pattern.compile("([a-z_]+):(\\d+)").matcher(line);
      if (field.matches()) figures.put(field.group(1), Long.parseLong(field.group(2)));
    }
    for (String name : new String[] {"cache_hits", "cache_misses", "cache_coalesced_misses", "cached_keys"}) {
      if (!figures.containsKey(name)) throw new AssertionError("INFO has no " + name + ":\n" + info);
    }
    return figures;
  }

  private static void awaitValue(TestPrometheus prometheus, String promql, double expected) {
    Eventually.await(SCRAPED_WITHIN, promql + " is " + expected + " in Prometheus",
        () -> prometheus.value(promql).equals(Optional.of(expected)));
  }

  // As Grafana would send it with every proxy selected and a one-minute rate window.
  private static boolean givesData(TestPrometheus prometheus, String dashboardExpression) {
    String answer = prometheus.query(dashboardExpression.replace("$__rate_interval", "1m").replace("$instance", ".*"));
    return answer.contains("\"status\":\"success\"") && answer.contains("\"value\":[");
  }
}
