package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import com.redisproxy.system.support.ThrowawayCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** PROXY_TLS_CERT_FILE / PROXY_TLS_KEY_FILE: both front ends speak TLS only, with a throwaway certificate. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrontEndTlsIT {
  private Path dir;
  private ThrowawayCertificate certificate;
  private TestRedis redis;
  private ProxyProcess proxy;

  @BeforeAll
  void start() throws IOException {
    assumeTrue(ThrowawayCertificate.opensslInstalled(), "openssl is not installed: skipping the front-end TLS test");
    dir = Files.createTempDirectory("front-end-tls");
    certificate = ThrowawayCertificate.make(dir, "proxy");
    redis = TestRedis.started();
    proxy = ProxyProcess.startWithTls(redis.address(), Map.of(), certificate);
  }

  @AfterAll
  void stop() {
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  @Test
  void httpsServesAMissThenAHit() {
    redis.set("over-https", "sealed");
    HttpResponse<byte[]> first = proxy.get("over-https");
    assertEquals(200, first.statusCode(), body(first));
    assertEquals("sealed", body(first));
    assertEquals("MISS", first.headers().firstValue("X-Cache").orElse(null));
    HttpResponse<byte[]> second = proxy.get("over-https");
    assertEquals("sealed", body(second));
    assertEquals("HIT", second.headers().firstValue("X-Cache").orElse(null));
    assertEquals("https", second.uri().getScheme());
  }

  @Test
  void plainHttpOnTheHttpsPortGetsNoHttpResponse() throws IOException {
    String answer = sendPlainAndReadUntilClosed(proxy.httpPort(),
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertFalse(answer.startsWith("HTTP/"), answer);
  }

  @Test
  void respOverTlsAnswersPingAndGet() {
    redis.set("over-resp-tls", "sealed too");
    try (RespSocket resp = RespSocket.overTls(proxy.respPort(), certificate.trustingContext())) {
      assertEquals("+PONG\r\n", resp.call(RespSocket.command("PING"), "+PONG\r\n"));
      assertEquals("$10\r\nsealed too\r\n", resp.call(RespSocket.command("GET", "over-resp-tls"), "$10\r\nsealed too\r\n"));
      assertEquals("+OK\r\n", resp.call(RespSocket.command("QUIT"), "+OK\r\n"));
      assertTrue(resp.closedByPeer(), "QUIT closes the TLS connection");
    }
  }

  @Test
  void plainRespOnTheTlsPortIsNotAnswered() throws IOException {
    String answer = sendPlainAndReadUntilClosed(proxy.respPort(), "PING\r\n" + RespSocket.command("PING"));
    assertFalse(answer.contains("PONG"), answer);
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateFailsTheHandshakeOnBothPorts() throws Exception {
    HttpClient defaultTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxy.httpPort() + "/health"))
        .timeout(Duration.ofSeconds(20)).build();
    assertThrows(SSLHandshakeException.class, () -> defaultTrust.send(health, HttpResponse.BodyHandlers.discarding()));
    try (SSLSocket socket = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket("127.0.0.1", proxy.respPort())) {
      socket.setSoTimeout(20_000);
      assertThrows(SSLHandshakeException.class, socket::startHandshake);
    }
  }

  @Test
  void failedHandshakesGiveTheirClientSlotsBack() throws Exception {
    for (int attempt = 0; attempt < 5; attempt++) {
      for (int port : new int[] {proxy.httpPort(), proxy.respPort()}) {
        sendPlainAndReadUntilClosed(port, "PING\r\n");
        try (SSLSocket socket = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket("127.0.0.1", port)) {
          socket.setSoTimeout(20_000);
          assertThrows(SSLHandshakeException.class, socket::startHandshake);
        }
      }
    }
    // The /metrics request itself holds one HTTP connection.
    Eventually.await(Duration.ofSeconds(20), "no connection counted open after failed handshakes",
        () -> openConnections("resp") == 0 && openConnections("http") <= 1);
  }

  @Test
  void theClientLimitRefusesConnectionsOverTlsToo() throws IOException {
    try (ProxyProcess limited = ProxyProcess.startWithTls(redis.address(), Map.of("PROXY_MAX_CLIENTS", "1"), certificate);
        Socket heldHttp = holdHttpSlot(limited);
        RespSocket heldResp = holdRespSlot(limited)) {
      // The start-up health checks' connections are given back asynchronously.
      Eventually.await(Duration.ofSeconds(20), "a second HTTPS client is refused with 503",
          () -> limited.request("GET", "/health").statusCode() == 503);
      try (RespSocket refused = RespSocket.overTls(limited.respPort(), certificate.trustingContext())) {
        assertEquals("-ERR max number of clients reached\r\n", refused.readLine());
      }
    }
  }

  // The start-up probes' own connections may hold the one slot for a moment after the proxy is up:
  // a client is refused until they are given back, so the slot is taken once it is free.
  private Socket holdHttpSlot(ProxyProcess limited) {
    AtomicReference<Socket> held = new AtomicReference<>();
    Eventually.await(Duration.ofSeconds(20), "an HTTPS client holds the one client slot", () -> {
      try {
        Socket socket = certificate.trustingContext().getSocketFactory().createSocket("127.0.0.1", limited.httpPort());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (new String(socket.getInputStream().readNBytes(17), StandardCharsets.US_ASCII).equals("HTTP/1.1 200 OK\r\n")) {
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

  private RespSocket holdRespSlot(ProxyProcess limited) {
    AtomicReference<RespSocket> held = new AtomicReference<>();
    Eventually.await(Duration.ofSeconds(20), "a RESP-over-TLS client holds the one client slot", () -> {
      try {
        RespSocket socket = RespSocket.overTls(limited.respPort(), certificate.trustingContext());
        socket.send(RespSocket.command("PING"));
        if (socket.readLine().equals("+PONG\r\n")) {
          held.set(socket);
          return true;
        }
        socket.close();
        return false;
      } catch (RuntimeException notYet) { // RespSocket turns I/O errors into unchecked ones
        return false;
      }
    });
    return held.get();
  }

  @Test
  void redisCliConnectsWithTlsAndTheCaCertificate() throws Exception {
    assumeTrue(redisCliWithTls(), "redis-cli (with TLS) is not installed: skipping the redis-cli part");
    redis.set("via-redis-cli", "cli over tls");
    Process cli = new ProcessBuilder("redis-cli", "--tls", "--cacert", certificate.certFile().toString(),
        "-h", "127.0.0.1", "-p", String.valueOf(proxy.respPort()), "GET", "via-redis-cli")
        .redirectErrorStream(true).start();
    String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(cli.waitFor(30, TimeUnit.SECONDS), "redis-cli did not finish");
    assertEquals("cli over tls", output.strip());
  }

  @Test
  void aCertificateWithoutAKeyExitsTwoNamingTheKeySetting() {
    String line = invalidConfigurationLine(Map.of("PROXY_TLS_CERT_FILE", certificate.certFile().toString()));
    assertTrue(line.startsWith("redis-proxy: invalid configuration: PROXY_TLS_KEY_FILE"), line);
  }

  @Test
  void aMissingFileExitsTwoNamingItsSettingAndPath() {
    Path absent = dir.resolve("absent-key.pem");
    String line = invalidConfigurationLine(Map.of(
        "PROXY_TLS_CERT_FILE", certificate.certFile().toString(), "PROXY_TLS_KEY_FILE", absent.toString()));
    assertTrue(line.startsWith("redis-proxy: invalid configuration: PROXY_TLS_KEY_FILE"), line);
    assertTrue(line.contains(absent + "': no such file"), line);
  }

  @Test
  void aKeyOfAnotherCertificateExitsTwoNamingTheKeySetting() {
    ThrowawayCertificate other = ThrowawayCertificate.make(dir, "other");
    String line = invalidConfigurationLine(Map.of(
        "PROXY_TLS_CERT_FILE", certificate.certFile().toString(), "PROXY_TLS_KEY_FILE", other.keyFile().toString()));
    assertTrue(line.startsWith("redis-proxy: invalid configuration: PROXY_TLS_KEY_FILE"), line);
    assertTrue(line.contains("does not match the certificate"), line);
  }

  private double openConnections(String frontEnd) {
    String series = "proxy_connections_open{frontend=\"" + frontEnd + "\"}";
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$")
        .matcher(body(proxy.request("GET", "/metrics")));
    if (!value.find()) throw new AssertionError("no series " + series);
    return Double.parseDouble(value.group(1));
  }

  /** Runs the jar until it exits, expects code 2 and exactly one line of output, and returns it. */
  private static String invalidConfigurationLine(Map<String, String> env) {
    try (ProxyProcess failing = ProxyProcess.launch(env)) {
      assertEquals(2, failing.awaitExitAtStart(), failing.output());
      List<String> lines = failing.output().strip().lines().toList();
      assertEquals(1, lines.size(), failing.output());
      return lines.get(0);
    }
  }

  /**
   * Writes {@code plain} unencrypted and reads until the proxy closes the connection. A TLS alert
   * may come back; a reply of the protocol may not. A proxy that keeps the connection open fails.
   */
  private static String sendPlainAndReadUntilClosed(int port, String plain) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(plain.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      try {
        for (int b = in.read(); b != -1; b = in.read()) read.write(b);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the connection stayed open after plain text; read: " + read, e);
      } catch (IOException reset) {
        // reset by the proxy: closed as well
      }
      return read.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static boolean redisCliWithTls() {
    try {
      Process help = new ProcessBuilder("redis-cli", "--help").redirectErrorStream(true).start();
      String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return help.waitFor(10, TimeUnit.SECONDS) && text.contains("--tls");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
