package com.redisproxy.system.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/** The real proxy: {@code java -jar target/redis-proxy.jar} as its own process, configured by env. */
public final class ProxyProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  // A JVM start on 2 cores shared with other builds and stress-ng took over 30 s at load average 18,
  // and more than 90 s at load average 19 under nice 19 (CoherenceIT, 2026-12-07: 65 s from the
  // logger's start to the first line of the proxy's own): only a deadline, met as soon as it is healthy.
  private static final Duration START_DEADLINE = Duration.ofSeconds(180);

  // Where each proxy's output is kept, named after the test that started it, after the run too.
  private static final Path LOGS = Path.of("target", "proxy-logs");

  private final Path output;
  private final int httpPort;
  private final int respPort;
  private final Optional<SSLContext> tls;
  private final HttpClient http;

  private ProxyProcess(Process process, Path output, int httpPort, int respPort, Optional<SSLContext> tls) {
    this.process = process;
    this.output = output;
    this.httpPort = httpPort;
    this.respPort = respPort;
    this.tls = tls;
    // Generous: a cold proxy on a loaded machine is slow to accept and to finish a handshake.
    this.http = tls.map(context -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).sslContext(context).build()).orElse(HTTP);
  }

  /** Starts the proxy in front of {@code redisAddress} and waits until /health answers. */
  public static ProxyProcess start(String redisAddress, Map<String, String> env) {
    return start(redisAddress, env, Optional.empty());
  }

  /**
   * Starts the proxy with TLS on its front ends ({@code certificate} as PROXY_TLS_CERT_FILE and
   * PROXY_TLS_KEY_FILE) and waits until /health answers over HTTPS; {@link #get} and
   * {@link #request} then speak HTTPS, trusting that certificate.
   */
  public static ProxyProcess startWithTls(String redisAddress, Map<String, String> env, ThrowawayCertificate certificate) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("PROXY_TLS_CERT_FILE", certificate.certFile().toString());
    all.putIfAbsent("PROXY_TLS_KEY_FILE", certificate.keyFile().toString());
    return start(redisAddress, all, Optional.of(certificate.trustingContext()));
  }

  private static ProxyProcess start(String redisAddress, Map<String, String> env, Optional<SSLContext> tls) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("REDIS_ADDRESS", redisAddress);
    ProxyProcess proxy = launch(all, tls);
    try {
      Eventually.await(START_DEADLINE, "the proxy answers /health", () -> {
        if (!proxy.process.isAlive()) throw new AssertionError("the proxy exited:\n" + proxy.output());
        return proxy.healthy();
      });
      return proxy;
    } catch (AssertionError notStarted) {
      // the caller's try-with-resources never sees this process: end it here, or it runs on
      String output = proxy.output();
      proxy.close();
      throw new AssertionError(notStarted.getMessage() + "\nits output:\n" + output, notStarted);
    }
  }

  /** Starts the proxy with {@code env} (free ports unless given) and does not wait for anything. */
  public static ProxyProcess launch(Map<String, String> given) {
    return launch(given, Optional.empty());
  }

  private static ProxyProcess launch(Map<String, String> given, Optional<SSLContext> tls) {
    Map<String, String> env = new HashMap<>(given);
    env.putIfAbsent("PROXY_PORT", String.valueOf(FreePort.find()));
    env.putIfAbsent("PROXY_RESP_PORT", String.valueOf(FreePort.findOtherThan(portOrZero(env.get("PROXY_PORT")))));
    try {
      Path output = Files.createTempFile(Files.createDirectories(LOGS), callingTest() + "-", ".log");
      List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1", "-jar", jarPath()));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().keySet().removeIf(name -> name.startsWith("PROXY_") || name.startsWith("REDIS_")
          || name.startsWith("CACHE_") || name.startsWith("GLOBAL_CACHE") || name.equals("JAVA_TOOL_OPTIONS"));
      builder.environment().putAll(env);
      return new ProxyProcess(builder.start(), output, portOrZero(env.get("PROXY_PORT")), portOrZero(env.get("PROXY_RESP_PORT")),
          tls);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET /health on a connection of its own that is closed at once, so no client slot stays taken. */
  public boolean healthy() {
    try (Socket socket = tls.isPresent()
        ? tls.get().getSocketFactory().createSocket("127.0.0.1", httpPort)
        : new Socket("127.0.0.1", httpPort)) {
      socket.setSoTimeout(2_000);
      socket.getOutputStream().write(
          "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      return response.startsWith("HTTP/1.1 200");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Waits for a process {@link #launch launched} to end by itself at start-up (a setting refused):
   * its deadline is a start's, since the JVM has to start first; returns its exit code.
   */
  public int awaitExitAtStart() {
    return awaitExit(START_DEADLINE);
  }

  /** Waits for the process to end by itself; returns its exit code. */
  public int awaitExit(Duration deadline) {
    try {
      if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the proxy did not exit within " + deadline + ":\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public int httpPort() {
    return httpPort;
  }

  public int respPort() {
    return respPort;
  }

  private static int portOrZero(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return 0; // a deliberately invalid port, in a configuration test
    }
  }

  public String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      return "(output unreadable: " + e + ")";
    }
  }

  /** GET /proxy?key=..., the key percent-encoded as UTF-8. */
  public HttpResponse<byte[]> get(String key) {
    return get(key, REQUEST_TIMEOUT);
  }

  /** As {@link #get(String)}, with a deadline for the whole exchange, connecting included. */
  public HttpResponse<byte[]> get(String key, Duration timeout) {
    return request("GET", "/proxy?key=" + encode(key), timeout);
  }

  public HttpResponse<byte[]> request(String method, String pathAndQuery) {
    return request(method, pathAndQuery, REQUEST_TIMEOUT);
  }

  /** GET /proxy?key=K as a Redis user: {@code authorization} is the Authorization header's value. */
  public HttpResponse<byte[]> getAs(String key, String authorization) {
    return request("GET", "/proxy?key=" + encode(key), REQUEST_TIMEOUT, "Authorization", authorization);
  }

  private HttpResponse<byte[]> request(String method, String pathAndQuery, Duration timeout, String... headers) {
    String scheme = tls.isPresent() ? "https" : "http";
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + httpPort + pathAndQuery))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(timeout);
    if (headers.length > 0) builder.headers(headers);
    HttpRequest request = builder.build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public static String encode(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** SIGTERM, without waiting: see {@link #awaitExit}. */
  public void sendSigterm() {
    process.destroy();
  }

  /** SIGHUP: the proxy reads its configuration again. */
  public void sendSighup() {
    try {
      int exit = new ProcessBuilder("kill", "-HUP", String.valueOf(pid())).inheritIO().start().waitFor();
      if (exit != 0) throw new IllegalStateException("kill -HUP " + pid() + " exited with " + exit);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM, then waits for the exit; returns the exit code. */
  public int stop() {
    process.destroy();
    return awaitExit(Duration.ofSeconds(20));
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    // The log stays in target/proxy-logs: a flaky failure is explained by the proxy's side of it.
  }

  // The system test that started the proxy, to name its log after.
  private static String callingTest() {
    return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
        .map(StackWalker.StackFrame::getDeclaringClass)
        .filter(type -> !type.getPackageName().equals(ProxyProcess.class.getPackageName()))
        .map(Class::getSimpleName).findFirst().orElse("redis-proxy"));
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String jarPath() {
    String jar = System.getProperty("proxy.jar", "target/redis-proxy.jar");
    if (!Files.exists(Path.of(jar))) throw new IllegalStateException("No " + jar + ": run `mvn package` first");
    return jar;
  }
}
