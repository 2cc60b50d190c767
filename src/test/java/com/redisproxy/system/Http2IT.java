package com.redisproxy.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import com.redisproxy.system.support.ThrowawayCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * HTTP/2 on the real jar: cleartext with prior knowledge (curl) and by upgrade (Java's HttpClient)
 * with PROXY_HTTP_H2C=on, over TLS by ALPN (on by default), HTTP/1.1 only on the plain port by
 * default, and held to the client limit. Each test checks the protocol
 * the client actually spoke, not only the answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2IT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private TestRedis redis;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
    proxy = ProxyProcess.start(redis.address(), Map.of("PROXY_HTTP_H2C", "on"));
  }

  @AfterAll
  void stop() {
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  @Test
  void curlWithPriorKnowledgeSpeaksHttp2AndGetsAMissThenAHit() {
    assumeTrue(curlSpeaksHttp2(), "curl with HTTP/2 is not installed");
    redis.set("h2c-prior", "over h2c");
    Curl first = Curl.get("--http2-prior-knowledge", "http://127.0.0.1:" + proxy.httpPort() + "/proxy?key=h2c-prior");
    assertEquals("2", first.version(), first.head());
    assertTrue(first.head().startsWith("HTTP/2 200"), first.head());
    assertTrue(first.head().contains("x-cache: MISS"), first.head());
    assertEquals("over h2c", first.body());
    Curl second = Curl.get("--http2-prior-knowledge", "http://127.0.0.1:" + proxy.httpPort() + "/proxy?key=h2c-prior");
    assertEquals("2", second.version(), second.head());
    assertTrue(second.head().contains("x-cache: HIT"), second.head());
    assertEquals("over h2c", second.body());
  }

  @Test
  void javasHttpClientUpgradesToH2cAndGetsTheCachedValue() {
    redis.set("h2c-upgrade", "upgraded");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(TIMEOUT).build();
    HttpResponse<String> miss = send(client, "http://127.0.0.1:" + proxy.httpPort() + "/proxy?key=h2c-upgrade");
    HttpResponse<String> hit = send(client, "http://127.0.0.1:" + proxy.httpPort() + "/proxy?key=h2c-upgrade");
    assertEquals(HttpClient.Version.HTTP_2, hit.version());
    assertEquals(200, hit.statusCode(), hit.body());
    assertEquals("upgraded", hit.body());
    assertEquals("MISS", miss.headers().firstValue("x-cache").orElse(null));
    assertEquals("HIT", hit.headers().firstValue("x-cache").orElse(null));
  }

  @Test
  void overTlsAlpnNegotiatesHttp2AndServesTheCachedValue() throws IOException {
    assumeTrue(ThrowawayCertificate.opensslInstalled(), "openssl is not installed");
    Path dir = Files.createTempDirectory("h2-tls");
    ThrowawayCertificate certificate = ThrowawayCertificate.make(dir, "proxy");
    try (ProxyProcess tls = ProxyProcess.startWithTls(redis.address(), Map.of(), certificate)) {
      redis.set("h2-tls", "sealed in h2");
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(TIMEOUT)
          .sslContext(certificate.trustingContext()).build();
      HttpResponse<String> miss = send(client, "https://127.0.0.1:" + tls.httpPort() + "/proxy?key=h2-tls");
      HttpResponse<String> hit = send(client, "https://127.0.0.1:" + tls.httpPort() + "/proxy?key=h2-tls");
      assertEquals(HttpClient.Version.HTTP_2, miss.version());
      assertEquals(HttpClient.Version.HTTP_2, hit.version());
      assertEquals("sealed in h2", hit.body());
      assertEquals("HIT", hit.headers().firstValue("x-cache").orElse(null));
      if (curlSpeaksHttp2()) {
        Curl curl = Curl.get("--http2", "--cacert", certificate.certFile().toString(),
            "https://127.0.0.1:" + tls.httpPort() + "/proxy?key=h2-tls");
        assertEquals("2", curl.version(), curl.head());
        assertEquals("sealed in h2", curl.body());
      }
    }
  }

  @Test
  void byDefaultThePlainPortAnswersAnUpgradingClientInHttp11() {
    try (ProxyProcess plain = ProxyProcess.start(redis.address(), Map.of())) {
      redis.set("h1-only", "one point one");
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(TIMEOUT).build();
      HttpResponse<String> response = send(client, "http://127.0.0.1:" + plain.httpPort() + "/proxy?key=h1-only");
      assertEquals(HttpClient.Version.HTTP_1_1, response.version());
      assertEquals("one point one", response.body());
    }
  }

  @Test
  void anHttp2ConnectionOverTheClientLimitIsAnswered503AtOnce() {
    assumeTrue(curlSpeaksHttp2(), "curl with HTTP/2 is not installed");
    try (ProxyProcess limited = ProxyProcess.start(redis.address(), Map.of("PROXY_MAX_CLIENTS", "1", "PROXY_HTTP_H2C", "on"));
        Socket held = holdTheOneSlot(limited)) {
      long start = System.nanoTime();
      Curl refused = Curl.get("--http2-prior-knowledge", "http://127.0.0.1:" + limited.httpPort() + "/health");
      assertEquals("2", refused.version(), refused.head());
      assertTrue(refused.head().startsWith("HTTP/2 503"), refused.head());
      assertTrue(refused.head().contains("retry-after: 1"), refused.head());
      assertTrue(refused.body().contains("max number of clients reached"), refused.body());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the refusal was not prompt");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // The start-up health check's connection may hold the slot until the proxy sees it closed.
  private static Socket holdTheOneSlot(ProxyProcess limited) {
    AtomicReference<Socket> held = new AtomicReference<>();
    Eventually.await(TIMEOUT, "an HTTP/1.1 client holds the one client slot", () -> {
      try {
        Socket socket = new Socket("127.0.0.1", limited.httpPort());
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (new String(socket.getInputStream().readNBytes(15), StandardCharsets.US_ASCII).equals("HTTP/1.1 200 OK")) {
          held.set(socket);
          return true;
        }
        socket.close();
        return false;
      } catch (IOException notYet) {
        return false;
      }
    });
    return held.get();
  }

  private static HttpResponse<String> send(HttpClient client, String url) {
    try {
      return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static boolean curlSpeaksHttp2() {
    try {
      Process curl = new ProcessBuilder("curl", "-V").redirectErrorStream(true).start();
      String version = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return curl.waitFor(10, TimeUnit.SECONDS) && version.contains("HTTP2");
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** One curl request: the response head (-i), its body, and the HTTP version curl says it spoke. */
  private record Curl(String head, String body, String version) {
    private static final String VERSION_MARK = "\n--http-version:";

    static Curl get(String... arguments) {
      List<String> command = new java.util.ArrayList<>(List.of("curl", "-s", "-i", "--max-time", "20",
          "-w", VERSION_MARK + "%{http_version}"));
      command.addAll(List.of(arguments));
      try {
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = curl.getInputStream()) {
          output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!curl.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("curl did not end: " + command);
        int mark = output.lastIndexOf(VERSION_MARK);
        assertTrue(mark >= 0, "no version from " + command + ":\n" + output);
        String response = output.substring(0, mark);
        int split = response.indexOf("\r\n\r\n");
        assertTrue(split >= 0, "no response from " + command + ":\n" + output);
        return new Curl(response.substring(0, split), response.substring(split + 4),
            output.substring(mark + VERSION_MARK.length()).trim());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
