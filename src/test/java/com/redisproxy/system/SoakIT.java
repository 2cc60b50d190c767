package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Mixed load through both front ends while the backing Redis is killed and restarted midway.
 * Counts requests, errors by kind and wrong values (must be 0), and compares the heap after a GC
 * before and after. `make test` runs it for 12 s; `make soak` for 2 minutes (-Dsoak.seconds).
 */
class SoakIT {
  private static final int KEYS = 1000;
  private static final int ABSENT_KEYS = 200;
  private static final int CLIENTS_PER_FRONT_END = 8;

  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private double killedAt;
  private double restartedAt;

  private long count(String outcome) {
    LongAdder adder = outcomes.get(outcome);
    return adder == null ? 0 : adder.sum();
  }

  private long failures() {
    return outcomes.entrySet().stream()
        .filter(entry -> entry.getKey().startsWith("http 5") || entry.getKey().startsWith("resp -"))
        .mapToLong(entry -> entry.getValue().sum()).sum();
  }

  private static double secondsSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private void record(String outcome) {
    outcomes.computeIfAbsent(outcome, ignored -> new LongAdder()).increment();
  }

  private static String value(int key) {
    return "value-" + key + "-" + "x".repeat(key % 50);
  }

  private static void seed(TestRedis redis) {
    for (int key = 0; key < KEYS; key++) redis.set("soak:" + key, value(key));
  }

  @Test
  void mixedLoadSurvivesARedisRestartWithNoWrongValuesAndABoundedHeap() throws Exception {
    long seconds = Long.getLong("soak.seconds", 12);
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of(
            "CACHE_CAPACITY", "500", "GLOBAL_CACHE_EXPIRY", "3", "REDIS_FETCH_TIMEOUT", "500ms"))) {
      seed(redis);
      long heapBefore = heapAfterGc(proxy);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      ExecutorService pool = Executors.newFixedThreadPool(2 * CLIENTS_PER_FRONT_END);
      List<Future<?>> workers = new ArrayList<>();
      for (int c = 0; c < CLIENTS_PER_FRONT_END; c++) {
        long seed = c;
        workers.add(pool.submit(() -> respClient(proxy, end, new Random(seed))));
        workers.add(pool.submit(() -> httpClient(proxy, end, new Random(seed + 1000))));
      }

      long started = System.nanoTime();
      // The outage comes once the load is well under way (a third of the run, 1,000 answers at
      // least), and ends once the clients have felt it (100 failed requests per second of run).
      Eventually.await(Duration.ofSeconds(seconds), "the load is under way", () ->
          count("ok") >= 1_000 && System.nanoTime() - started >= TimeUnit.SECONDS.toNanos(seconds) / 3);
      redis.stop();
      killedAt = secondsSince(started);
      Eventually.await(Duration.ofSeconds(seconds), "the clients see the outage", () -> failures() >= 100 * seconds);
      redis.start();
      seed(redis);
      restartedAt = secondsSince(started);

      for (Future<?> worker : workers) worker.get(seconds + 60, TimeUnit.SECONDS);
      pool.shutdown();
      Eventually.await(Duration.ofSeconds(15), "the proxy serves misses again",
          () -> proxy.get("soak:1").statusCode() == 200);
      long heapAfter = heapAfterGc(proxy);

      String report = report(seconds, heapBefore, heapAfter);
      System.out.println(report);
      Files.writeString(Path.of("target", "soak-report.txt"), report);
      assertEquals(0, count("wrong value"), report);
      assertTrue(count("ok") > 0, report);
      assertTrue(heapAfter < heapBefore + 64L * 1024 * 1024, "heap grew:\n" + report);
    }
  }

  private void respClient(ProxyProcess proxy, long end, Random random) {
    RespSocket socket = null;
    while (System.nanoTime() < end) {
      try {
        if (socket == null) socket = new RespSocket(proxy.respPort());
        int key = random.nextInt(KEYS + ABSENT_KEYS);
        socket.send(command("GET", "soak:" + key));
        String header = socket.readLine();
        if (header.startsWith("$-1")) {
          record(key < KEYS ? "missing (Redis restarted empty)" : "ok");
        } else if (header.startsWith("$")) {
          String got = socket.read(Integer.parseInt(header.substring(1).trim()) + 2);
          record(key < KEYS && got.equals(value(key) + "\r\n") ? "ok" : "wrong value");
        } else if (header.startsWith("-")) {
          record("resp " + header.trim().replaceAll(" \\(.*", ""));
        } else {
          record("resp connection lost");
          socket.close();
          socket = null;
        }
      } catch (UncheckedIOException e) {
        record("resp connection lost");
        if (socket != null) socket.close();
        socket = null;
      }
    }
    if (socket != null) socket.close();
  }

  private void httpClient(ProxyProcess proxy, long end, Random random) {
    while (System.nanoTime() < end) {
      int key = random.nextInt(KEYS + ABSENT_KEYS);
      try {
        HttpResponse<byte[]> response = proxy.get("soak:" + key);
        int status = response.statusCode();
        if (status == 200) {
          record(key < KEYS && ProxyProcess.body(response).equals(value(key)) ? "ok" : "wrong value");
        } else if (status == 404) {
          record(key < KEYS ? "missing (Redis restarted empty)" : "ok");
        } else {
          record("http " + status);
        }
      } catch (UncheckedIOException e) {
        record("http connection lost");
      }
    }
  }

  private static long heapAfterGc(ProxyProcess proxy) throws IOException, InterruptedException {
    Process gc = new ProcessBuilder("jcmd", String.valueOf(proxy.pid()), "GC.run").redirectErrorStream(true).start();
    gc.getInputStream().readAllBytes();
    gc.waitFor(30, TimeUnit.SECONDS);
    String metrics = ProxyProcess.body(proxy.request("GET", "/metrics"));
    Matcher used = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\",[^}]*} ([0-9.eE+]+)$").matcher(metrics);
    double total = 0;
    while (used.find()) total += Double.parseDouble(used.group(1));
    return (long) total;
  }

  private String report(long seconds, long heapBefore, long heapAfter) {
    StringBuilder out = new StringBuilder(String.format("Soak report: %d s, %d RESP + %d HTTP clients, "
        + "Redis killed at %.1f s and restarted at %.1f s%n", seconds, CLIENTS_PER_FRONT_END, CLIENTS_PER_FRONT_END,
        killedAt, restartedAt));
    long total = outcomes.values().stream().mapToLong(LongAdder::sum).sum();
    out.append(String.format("  %-36s %10d%n", "requests", total));
    outcomes.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(entry -> out.append(String.format("  %-36s %10d%n", entry.getKey(), entry.getValue().sum())));
    if (!outcomes.containsKey("wrong value")) out.append(String.format("  %-36s %10d%n", "wrong value", 0));
    out.append(String.format("  heap after GC: before %.1f MiB, after %.1f MiB%n", heapBefore / 1048576.0, heapAfter / 1048576.0));
    return out.toString();
  }
}
