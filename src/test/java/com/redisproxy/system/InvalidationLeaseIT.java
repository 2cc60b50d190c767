package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.FaultyRelay;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The invalidation lease on the real jar, with a relay between the proxy and Redis that stops
 * forwarding Redis's bytes without closing anything: the fault a closed socket never reveals.
 */
class InvalidationLeaseIT {
  private static final Map<String, String> TRACKING = Map.of("CACHE_INVALIDATION", "tracking", "GLOBAL_CACHE_EXPIRY", "3600");
  private static final Duration OLD_VALUE_GONE_WITHIN = Duration.ofSeconds(2);
  private static final Duration NOT_READY_WITHIN = Duration.ofSeconds(2);
  private static final Duration NEW_VALUE_WITHIN = Duration.ofSeconds(5);

  private record Read(long sentAt, String value) {}

  private static String valueOf(ProxyProcess proxy, String key) {
    HttpResponse<byte[]> response = proxy.get(key);
    return response.statusCode() == 200 ? body(response) : String.valueOf(response.statusCode());
  }

  private static int readyStatus(ProxyProcess proxy) {
    return proxy.request("GET", "/ready").statusCode();
  }

  private static Duration left(long since, Duration within) {
    return Duration.ofNanos(Math.max(0, since + within.toNanos() - System.nanoTime()));
  }

  // Reads the key over and over until `until`, recording when each read was sent and what it got.
  private static CompletableFuture<List<Read>> readUntil(ProxyProcess proxy, String key, long until) {
    return CompletableFuture.supplyAsync(() -> {
      List<Read> reads = new ArrayList<>();
      while (System.nanoTime() - until < 0) {
        long sentAt = System.nanoTime();
        reads.add(new Read(sentAt, valueOf(proxy, key)));
      }
      return reads;
    });
  }

  private static ProxyProcess cachedThroughRelay(TestRedis redis, FaultyRelay relay, Map<String, String> env) {
    ProxyProcess proxy = ProxyProcess.start(relay.address(), env);
    Eventually.await(Duration.ofSeconds(30), "the proxy is ready", () -> readyStatus(proxy) == 200);
    redis.set("k", "v1");
    assertEquals("v1", valueOf(proxy, "k"));
    assertEquals("HIT", proxy.get("k").headers().firstValue("X-Cache").orElse(""));
    return proxy;
  }

  @Test
  void whenRedisGoesSilentTheOldValueIsNoLongerServedAndTheNewOneIsOnceRedisIsHeardAgain() throws Exception {
    try (TestRedis redis = TestRedis.started(); FaultyRelay relay = FaultyRelay.to(redis.port());
        ProxyProcess proxy = cachedThroughRelay(redis, relay, TRACKING)) {
      relay.stall(FaultyRelay.Direction.FROM_REDIS);
      redis.set("k", "v2");
      long written = System.nanoTime();
      long checkedUntil = written + OLD_VALUE_GONE_WITHIN.plusSeconds(1).toNanos();
      CompletableFuture<List<Read>> reads = readUntil(proxy, "k", checkedUntil);
      Eventually.await(left(written, NOT_READY_WITHIN), "/ready says 503", () -> readyStatus(proxy) == 503);
      long notReadyAfter = System.nanoTime() - written;
      assertTrue(body(proxy.request("GET", "/metrics")).contains("proxy_invalidation_lease_held 0.0"));

      long oldValueGoneBy = written + OLD_VALUE_GONE_WITHIN.toNanos();
      List<Read> late = reads.get().stream().filter(read -> read.sentAt() - oldValueGoneBy >= 0).toList();
      assertTrue(!late.isEmpty(), "no read was sent after the deadline");
      List<Read> stale = late.stream().filter(read -> read.value().equals("v1")).toList();
      assertTrue(stale.isEmpty(), stale.size() + " of " + late.size() + " reads sent later got the old value, the last "
          + (stale.isEmpty() ? 0 : (stale.get(stale.size() - 1).sentAt() - written) / 1_000_000) + "ms after the write");

      relay.heal();
      long healed = System.nanoTime();
      Eventually.await(left(healed, NEW_VALUE_WITHIN), "the new value is served", () -> valueOf(proxy, "k").equals("v2"));
      long newValueAfter = System.nanoTime() - healed;
      Eventually.await(Duration.ofSeconds(10), "/ready says 200 again", () -> readyStatus(proxy) == 200);
      assertTrue(body(proxy.request("GET", "/metrics")).contains("proxy_invalidation_lease_held 1.0"));
      report(reads.get(), written, notReadyAfter, newValueAfter);
    }
  }

  // The figures docs/coherence.md quotes, in target/invalidation-lease-report.txt.
  private static void report(List<Read> reads, long written, long notReadyAfter, long newValueAfter) throws Exception {
    long lastOld = reads.stream().filter(read -> read.value().equals("v1")).mapToLong(Read::sentAt).max().orElse(written);
    Read firstNot = reads.stream().filter(read -> !read.value().equals("v1")).findFirst().orElseThrow();
    String report = String.format("Redis->proxy stalled, then SET: the old value last served to a read sent %d ms after the"
            + " write, the first read sent %d ms after it got %s; /ready 503 %d ms after it;"
            + " the relay forwarding again, the new value served %d ms after that%n",
        (lastOld - written) / 1_000_000, (firstNot.sentAt() - written) / 1_000_000, firstNot.value(), notReadyAfter / 1_000_000, newValueAfter / 1_000_000);
    java.nio.file.Files.writeString(java.nio.file.Path.of("target", "invalidation-lease-report.txt"), report);
    System.out.print(report);
  }

  @Test
  void servingStaleWithoutTheLeaseKeepsServingTheOldValueWhileRedisIsSilentAndDropsItOnceHeard() throws Exception {
    Map<String, String> env = new HashMap<>(TRACKING);
    env.put("CACHE_SERVE_STALE_WITHOUT_LEASE", "on");
    try (TestRedis redis = TestRedis.started(); FaultyRelay relay = FaultyRelay.to(redis.port());
        ProxyProcess proxy = cachedThroughRelay(redis, relay, env)) {
      relay.stall(FaultyRelay.Direction.FROM_REDIS);
      redis.set("k", "v2");
      long written = System.nanoTime();
      List<Read> reads = readUntil(proxy, "k", written + OLD_VALUE_GONE_WITHIN.plusSeconds(1).toNanos()).get();
      assertTrue(reads.stream().allMatch(read -> read.value().equals("v1")), "the bound is given up: " + reads);

      relay.heal();
      long healed = System.nanoTime();
      Eventually.await(left(healed, NEW_VALUE_WITHIN), "the new value is served", () -> valueOf(proxy, "k").equals("v2"));
    }
  }
}
