package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.Executables;
import com.redisproxy.system.support.FaultyRelay;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client's own CLIENT TRACKING through the proxy (with the proxy's tracking of Redis on): the
 * proxy serves its reads from the cache and tells it, as Redis would, when a key it read changes.
 * Lettuce's and node-redis 5's client-side caches over RESP3 see a write made straight on Redis
 * within a second (node-redis where node and src/test/node's clients are installed); raw
 * clients get Redis's own bytes, compared with what the same redis-server sends (embedded 6.2, and
 * Debian's 7.0 where installed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTrackingIT {
  // The bound for the near cache: a write made straight on Redis is seen within this long.
  private static final Duration WITHIN = Duration.ofSeconds(1);
  private static final File REDIS_7 = new File("/usr/bin/redis-server");
  private static final Map<String, String> TRACKING = Map.of("CACHE_INVALIDATION", "tracking", "GLOBAL_CACHE_EXPIRY", "600");

  enum Version { REDIS_6_2, REDIS_7_0 }

  private record Pair(TestRedis redis, ProxyProcess proxy) {}

  private final Map<Version, Pair> pairs = new EnumMap<>(Version.class);

  @BeforeAll
  void start() {
    for (Version version : Version.values()) {
      if (version == Version.REDIS_7_0 && !REDIS_7.canExecute()) continue;
      TestRedis redis = version == Version.REDIS_6_2 ? TestRedis.started() : TestRedis.startedWith(REDIS_7);
      ProxyProcess proxy = ProxyProcess.start(redis.address(), TRACKING);
      Eventually.await(Duration.ofSeconds(30), "the proxy is ready", () -> proxy.request("GET", "/ready").statusCode() == 200);
      pairs.put(version, new Pair(redis, proxy));
    }
  }

  @AfterAll
  void stop() {
    for (Pair pair : pairs.values()) {
      pair.proxy().close();
      pair.redis().close();
    }
  }

  private Pair pair(Version version) {
    Assumptions.assumeTrue(pairs.containsKey(version), "no " + version + " binary here");
    return pairs.get(version);
  }

  private static String call(RespSocket socket, String... args) {
    socket.send(command(args));
    return socket.readReply();
  }

  private static String onRedis(Pair pair, String... args) {
    try (RespSocket redis = new RespSocket(pair.redis().port())) {
      return call(redis, args);
    }
  }

  private static String throughProxy(Pair pair, String... args) {
    try (RespSocket proxy = new RespSocket(pair.proxy().respPort())) {
      return call(proxy, args);
    }
  }

  private static RespSocket resp3(int port) {
    RespSocket socket = new RespSocket(port);
    assertTrue(call(socket, "HELLO", "3").startsWith("%"));
    return socket;
  }

  /** Nothing was pushed to {@code socket}: the next thing it reads is the answer to a PING sent now. */
  private static void assertNothingPushed(RespSocket socket) {
    assertEquals("+PONG\r\n", call(socket, "PING"), "the next reply, with no invalidation before it");
  }

  private static long cacheHits(Pair pair) {
    String info = throughProxy(pair, "INFO", "proxy");
    for (String line : info.split("\r\n")) if (line.startsWith("cache_hits:")) return Long.parseLong(line.substring(11));
    throw new AssertionError("INFO proxy has no cache_hits: " + info);
  }

  // The figures docs/coherence.md quotes, appended to target/client-tracking-report.txt.
  private static synchronized void report(String line) {
    try {
      java.nio.file.Files.writeString(java.nio.file.Path.of("target", "client-tracking-report.txt"), line + System.lineSeparator(),
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    System.out.println(line);
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void lettucesNearCacheServedThroughTheProxySeesWritesStraightOnRedisAndThroughTheProxyWithinASecond(Version version) {
    Pair pair = pair(version);
    String key = "near-" + version;
    onRedis(pair, "SET", key, "v1");
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", pair.proxy().respPort())); // RESP3 by default
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      Map<String, String> near = new ConcurrentHashMap<>();
      CacheFrontend<String, String> frontend =
          ClientSideCaching.enable(CacheAccessor.forMap(near), connection, TrackingArgs.Builder.enabled());
      assertEquals("v1", frontend.get(key));
      assertEquals("v1", near.get(key));
      long hits = cacheHits(pair);
      assertEquals("v1", connection.sync().get(key));
      assertEquals(hits + 1, cacheHits(pair), "a tracking client's GET is still a hit in the proxy's cache");

      onRedis(pair, "SET", key, "v2");
      long written = System.nanoTime();
      Eventually.await(WITHIN, "the near cache drops a key written straight on Redis", () -> !near.containsKey(key));
      long straight = System.nanoTime() - written;
      assertEquals("v2", frontend.get(key));

      throughProxy(pair, "SET", key, "v3");
      written = System.nanoTime();
      Eventually.await(WITHIN, "the near cache drops a key written through the proxy", () -> !near.containsKey(key));
      long through = System.nanoTime() - written;
      assertEquals("v3", frontend.get(key));
      report(version + ": Lettuce's near cache dropped a key written straight on Redis within " + straight / 1_000_000
          + " ms of the SET's reply, one written through the proxy within " + through / 1_000_000 + " ms (polled every 25 ms)");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void nodeRedisOwnClientSideCacheThroughTheProxySeesWritesAndFlushesWithinASecond(Version version) throws Exception {
    Pair pair = pair(version);
    Path scripts = Path.of("src/test/node");
    Assumptions.assumeTrue(Executables.onPath("node"), "node is not installed: skipping");
    Assumptions.assumeTrue(Files.isDirectory(scripts.resolve("node_modules/redis")),
        "node-redis is not installed: run `npm ci --prefix src/test/node` (or `make node-clients`): skipping");
    Path output = Files.createTempFile("client-side-cache", ".log");
    try {
      Process node = new ProcessBuilder("node", "client-side-cache.mjs", String.valueOf(pair.proxy().respPort()),
          String.valueOf(pair.redis().port())).directory(scripts.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      if (!node.waitFor(120, TimeUnit.SECONDS)) {
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("client-side-cache.mjs did not finish within 120 s:\n" + Files.readString(output));
      }
      String said = Files.readString(output);
      assertEquals(0, node.exitValue(), said);
      assertTrue(said.contains("PASS node-redis-csc"), said);
      report(version + ": " + said.trim());
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /**
   * The same conversation with Redis and with the proxy, each answer and push as text: tracking's
   * replies (TRACKINGINFO, GETREDIR, refusals), a RESP3 push for a write straight on Redis, a null
   * one for FLUSHALL, and a RESP2 client's REDIRECT to a subscriber, which gets pub/sub messages.
   * Client ids differ between the two, so the redirect target's is written {@code <id>}.
   */
  private static List<String> conversation(int port, int redisPort, String prefix) {
    List<String> said = new ArrayList<>();
    String k = prefix + "k";
    try (RespSocket tracker = resp3(port); RespSocket writer = new RespSocket(redisPort);
        RespSocket target = new RespSocket(port); RespSocket redirecting = new RespSocket(port)) {
      said.add(call(tracker, "CLIENT", "TRACKINGINFO"));
      said.add(call(tracker, "CLIENT", "GETREDIR"));
      said.add(call(tracker, "CLIENT", "CACHING", "yes"));
      said.add(call(tracker, "CLIENT", "TRACKING", "ON", "REDIRECT", "x"));
      said.add(call(tracker, "CLIENT", "TRACKING", "ON", "REDIRECT", "987654"));
      said.add(call(tracker, "CLIENT", "TRACKING", "ON", "FOO"));
      said.add(call(tracker, "CLIENT", "TRACKING", "ON"));
      said.add(call(tracker, "CLIENT", "TRACKINGINFO"));
      said.add(call(tracker, "CLIENT", "GETREDIR"));
      said.add(call(tracker, "CLIENT", "CACHING", "no"));
      said.add(call(tracker, "GET", k));
      said.add(call(writer, "SET", k, "1"));
      said.add(tracker.readReply()); // the push
      said.add(call(tracker, "MGET", k, prefix + "other"));
      said.add(call(writer, "FLUSHALL"));
      said.add(tracker.readReply()); // null: everything
      said.add(call(tracker, "CLIENT", "TRACKING", "OFF"));
      said.add(call(tracker, "CLIENT", "TRACKINGINFO"));

      String id = call(target, "CLIENT", "ID").substring(1).trim();
      Function<String, String> anonymous = text -> text.replace(":" + id + "\r\n", ":<id>\r\n");
      said.add(call(target, "SUBSCRIBE", "__redis__:invalidate"));
      said.add(call(redirecting, "CLIENT", "TRACKING", "ON", "REDIRECT", id));
      said.add(anonymous.apply(call(redirecting, "CLIENT", "TRACKINGINFO")));
      said.add(anonymous.apply(call(redirecting, "CLIENT", "GETREDIR")));
      said.add(call(redirecting, "GET", k));
      said.add(call(writer, "SET", k, "2"));
      said.add(target.readReply()); // a pub/sub message
      said.add(call(redirecting, "GET", k));
      said.add(call(writer, "FLUSHALL"));
      said.add(target.readReply());
    }
    return said;
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void trackingSaysWhatRedisSaysByteForByte(Version version) {
    Pair pair = pair(version);
    List<String> redis = conversation(pair.redis().port(), pair.redis().port(), "exact-");
    List<String> proxy = conversation(pair.proxy().respPort(), pair.redis().port(), "exact-");
    assertEquals(String.join("\n", redis), String.join("\n", proxy));
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void withNoloopAClientIsNotToldOfItsOwnWritesThroughTheProxyButOfOthers(Version version) {
    Pair pair = pair(version);
    String k = "noloop-" + version;
    try (RespSocket tracker = resp3(pair.proxy().respPort()); RespSocket other = resp3(pair.proxy().respPort())) {
      assertEquals("+OK\r\n", call(tracker, "CLIENT", "TRACKING", "ON", "NOLOOP"));
      assertEquals("+OK\r\n", call(other, "CLIENT", "TRACKING", "ON"));
      call(tracker, "GET", k);
      call(other, "GET", "unrelated-" + version);
      assertEquals("+OK\r\n", call(tracker, "SET", k, "mine"));
      assertNothingPushed(tracker);
      call(tracker, "GET", k);
      throughProxy(pair, "SET", k, "theirs");
      assertEquals(">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + k.length() + "\r\n" + k + "\r\n", tracker.readReply());
      assertNothingPushed(other); // never another client's key
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aFlushThroughTheProxyTellsEveryTrackingClientIncludingTheOneThatSentIt(Version version) {
    Pair pair = pair(version);
    try (RespSocket tracker = resp3(pair.proxy().respPort())) {
      assertEquals("+OK\r\n", call(tracker, "CLIENT", "TRACKING", "ON", "NOLOOP"));
      assertEquals("+OK\r\n", call(tracker, "FLUSHDB"));
      assertEquals(">2\r\n$10\r\ninvalidate\r\n_\r\n", tracker.readReply());
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aReadRedisAnswersForTheClientIsInvalidatedRightAfterItsReply(Version version) {
    Pair pair = pair(version);
    String k = "ttl-" + version;
    onRedis(pair, "SET", k, "v", "EX", "100");
    try (RespSocket tracker = resp3(pair.proxy().respPort())) {
      assertEquals("+OK\r\n", call(tracker, "CLIENT", "TRACKING", "ON"));
      assertTrue(call(tracker, "TTL", k).startsWith(":"));
      assertEquals(">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + k.length() + "\r\n" + k + "\r\n", tracker.readReply());
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aTransactionsReadsAreRedissSoTheClientIsToldEverythingChangedWhenItEnds(Version version) {
    Pair pair = pair(version);
    try (RespSocket tracker = resp3(pair.proxy().respPort())) {
      assertEquals("+OK\r\n", call(tracker, "CLIENT", "TRACKING", "ON"));
      assertEquals("+OK\r\n", call(tracker, "MULTI"));
      assertEquals("+QUEUED\r\n", call(tracker, "GET", "tx-" + version));
      assertEquals("*1\r\n_\r\n", call(tracker, "EXEC"));
      assertEquals(">2\r\n$10\r\ninvalidate\r\n_\r\n", tracker.readReply());
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aReadInASessionOfItsOwnIsInvalidatedRightAfterItsReply(Version version) {
    Pair pair = pair(version);
    String k = "db1-" + version;
    try (RespSocket tracker = resp3(pair.proxy().respPort())) {
      assertEquals("+OK\r\n", call(tracker, "CLIENT", "TRACKING", "ON"));
      assertEquals("+OK\r\n", call(tracker, "SELECT", "1")); // a Redis connection of its own from here on
      assertEquals("_\r\n", call(tracker, "GET", k));
      assertEquals(">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + k.length() + "\r\n" + k + "\r\n", tracker.readReply());
    }
  }

  @Test
  void whenTheProxysLeaseLapsesATrackingClientIsToldEverythingChanged() {
    try (TestRedis redis = TestRedis.started(); FaultyRelay relay = FaultyRelay.to(redis.port());
        ProxyProcess proxy = ProxyProcess.start(relay.address(), TRACKING)) {
      Eventually.await(Duration.ofSeconds(30), "the proxy is ready", () -> proxy.request("GET", "/ready").statusCode() == 200);
      redis.set("leased", "v1");
      try (RespSocket tracker = resp3(proxy.respPort())) {
        assertEquals("+OK\r\n", call(tracker, "CLIENT", "TRACKING", "ON"));
        assertEquals("$2\r\nv1\r\n", call(tracker, "GET", "leased"));
        assertNothingPushed(tracker);
        relay.stall(FaultyRelay.Direction.FROM_REDIS);
        long stalled = System.nanoTime();
        assertEquals(">2\r\n$10\r\ninvalidate\r\n_\r\n", tracker.readReply());
        long after = (System.nanoTime() - stalled) / 1_000_000;
        // The lease is 1 s: the flush comes when the proxy stops serving hits, not later.
        assertTrue(after < 2_000, "told " + after + " ms after Redis went silent");
        report("the relay stalled Redis->proxy: the tracking client was told everything changed " + after + " ms later (lease 1 s)");
        relay.heal();
      }
    }
  }
}
