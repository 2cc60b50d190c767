package com.redisproxy.system.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Prometheus (the installed {@code prometheus} binary) scraping one proxy every second,
 * with its own config and storage in a temporary directory, answering its HTTP API on a free port.
 */
public final class TestPrometheus implements AutoCloseable {
  public static final String JOB = "redis-proxy";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern ONE_SAMPLE = Pattern.compile("\"value\":\\[[0-9.eE+-]+,\"([^\"]+)\"\\]");
  private static final Duration START_DEADLINE = Duration.ofSeconds(60);

  private final Process process;
  private final Path directory;
  private final int port;

  private TestPrometheus(Process process, Path directory, int port) {
    this.process = process;
    this.directory = directory;
    this.port = port;
  }

  public static boolean installed() {
    return Executables.onPath("prometheus");
  }

  /** Starts Prometheus scraping 127.0.0.1:{@code proxyPort} and evaluating {@code ruleFile}, and waits until it is ready. */
  public static TestPrometheus scraping(int proxyPort, Path ruleFile) {
    try {
      Path directory = Files.createTempDirectory("prometheus");
      Path config = directory.resolve("prometheus.yml");
      // One-second scrapes and evaluations: a test sees new figures, and rule results, within seconds.
      Files.writeString(config, String.join("\n",
          "global:",
          "  scrape_interval: 1s",
          "  scrape_timeout: 1s",
          "  evaluation_interval: 1s",
          "rule_files:",
          "  - " + ruleFile.toAbsolutePath(),
          "scrape_configs:",
          "  - job_name: " + JOB,
          "    static_configs:",
          "      - targets: [\"127.0.0.1:" + proxyPort + "\"]",
          ""));
      int port = FreePort.find();
      Process process = new ProcessBuilder("prometheus", "--config.file=" + config,
          "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
          "--log.level=warn")
          .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
      TestPrometheus prometheus = new TestPrometheus(process, directory, port);
      try {
        Eventually.await(START_DEADLINE, "Prometheus is ready on " + port, () -> {
          if (!process.isAlive()) throw new AssertionError("prometheus exited:\n" + prometheus.log());
          return prometheus.get("/-/ready").statusCode() == 200;
        });
        return prometheus;
      } catch (AssertionError notReady) {
        String log = prometheus.log();
        prometheus.close();
        throw new AssertionError(notReady.getMessage() + "\nits log:\n" + log, notReady);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The raw JSON answer of {@code /api/v1/query} for {@code promql}, evaluated now. */
  public String query(String promql) {
    HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (response.statusCode() != 200) throw new AssertionError("query " + promql + " gave " + response.statusCode() + ": " + response.body());
    return response.body();
  }

  /** The value of {@code promql} when it gives exactly one sample; empty while it gives none. */
  public Optional<Double> value(String promql) {
    String answer = query(promql);
    Matcher sample = ONE_SAMPLE.matcher(answer);
    if (!sample.find()) return Optional.empty();
    double value = Double.parseDouble(sample.group(1));
    if (sample.find()) throw new AssertionError("more than one sample for " + promql + ": " + answer);
    return Optional.of(value);
  }

  /** The raw JSON answer of {@code /api/v1/rules}: each rule group, its rules and their health. */
  public String rules() {
    return get("/api/v1/rules").body();
  }

  public String log() {
    try {
      return Files.readString(directory.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private HttpResponse<String> get(String pathAndQuery) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory; the OS cleans it eventually
    }
  }
}
