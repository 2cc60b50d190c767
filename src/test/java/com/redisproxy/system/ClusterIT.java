package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestCluster;
import com.redisproxy.system.support.TestRedis;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy in front of a real 3-master / 3-replica Redis Cluster on loopback. One cluster and
 * three proxies serve the whole class (each start costs seconds); every test uses keys of its
 * own and asks the cluster who owns them now, so that no test depends on another's changes.
 */
class ClusterIT {
  // A failover takes a few cluster-node-timeouts, and Lettuce a refresh more, on loaded cores.
  private static final Duration RECOVERY = Duration.ofSeconds(60);
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  private static TestCluster cluster;
  private static ProxyProcess plain;
  private static ProxyProcess tracked;
  private static ProxyProcess trackedFromReplicas;

  @BeforeAll
  static void startClusterAndProxies() {
    cluster = TestCluster.started(3, 1);
    plain = ProxyProcess.start(cluster.address(), Map.of());
    // These tests are about topology changes, not the lease (InvalidationLeaseIT's): a 5 s lease
    // makes a node's silence limit 5 s, so a heartbeat late on a loaded machine does not replace a
    // node's connection and drop its keys where a test expects them cached (seen at load 14 with 2 s).
    tracked = ProxyProcess.start(cluster.address(), Map.of("CACHE_INVALIDATION", "tracking", "CACHE_INVALIDATION_LEASE", "5s"));
    // one seed only: the other nodes must come from the topology
    trackedFromReplicas = ProxyProcess.start(TestCluster.seedAddress(cluster.masters().get(1)),
        Map.of("CACHE_INVALIDATION", "tracking", "CACHE_INVALIDATION_LEASE", "5s", "REDIS_READ_FROM", "replica"));
  }

  @AfterAll
  static void stopAll() {
    for (AutoCloseable closeable : new AutoCloseable[] {plain, tracked, trackedFromReplicas, cluster}) {
      try {
        if (closeable != null) closeable.close();
      } catch (Exception ignored) {
        // the others still have to stop
      }
    }
  }

  private static String valueOf(ProxyProcess proxy, String key) {
    HttpResponse<byte[]> response = proxy.get(key);
    if (response.statusCode() == 200) return body(response);
    // an error's body says why, in the assertion's message
    return response.statusCode() + (response.statusCode() >= 500 ? " " + body(response) : "");
  }

  private static String cacheHeader(ProxyProcess proxy, String key) {
    return proxy.get(key).headers().firstValue("X-Cache").orElse("");
  }

  private static void awaitValue(ProxyProcess proxy, String key, String expected, Duration deadline) {
    Eventually.await(deadline, "the proxy on " + proxy.httpPort() + " serves " + expected + " for " + key,
        () -> valueOf(proxy, key).equals(expected));
  }

  /** One key on each master, written through the cluster, named {@code prefix...}. */
  private static List<String> keysOnEveryMaster(String prefix) {
    List<String> keys = new ArrayList<>();
    for (TestRedis master : cluster.masters()) {
      String key = cluster.keyOn(master, prefix);
      cluster.set(key, "value of " + key);
      keys.add(key);
    }
    return keys;
  }

  private static String bulk(String value) {
    return "$" + value.length() + "\r\n" + value + "\r\n";
  }

  @Test
  void theClusterSplitsTheSlotsOverThreeMastersEachWithAReplica() {
    List<TestRedis> masters = cluster.masters();
    assertEquals(3, masters.size());
    for (TestRedis master : masters) {
      String key = cluster.keyOn(master, "harness-");
      cluster.set(key, "on " + master.port());
      assertEquals("on " + master.port(), new String(master.commands().get(TestRedis.bytes(key))));
      assertNotEquals(master.port(), cluster.replicaOf(master).port());
    }
  }

  @Test
  void keysOfEverySlotRangeAreServedOverHttpAndCachedAfterTheFirstRead() {
    List<String> keys = keysOnEveryMaster("http-");
    keys.add(TestCluster.keyInSlot(0, "first-slot-"));
    keys.add(TestCluster.keyInSlot(TestCluster.SLOTS - 1, "last-slot-"));
    keys.subList(3, 5).forEach(key -> cluster.set(key, "value of " + key));
    for (ProxyProcess proxy : List.of(plain, tracked, trackedFromReplicas)) {
      for (String key : keys) {
        if (proxy == trackedFromReplicas) awaitValue(proxy, key, "value of " + key, DEADLINE); // replication lag
        else assertEquals("MISS", cacheHeader(proxy, key), key + " on " + proxy.httpPort() + ": " + valueOf(proxy, key));
        assertEquals("value of " + key, valueOf(proxy, key));
        assertEquals("HIT", cacheHeader(proxy, key), key);
      }
      assertEquals("404", valueOf(proxy, TestCluster.keyInSlot(8000, "absent-")));
    }
  }

  @Test
  void respGetAndMgetServeKeysOfEveryMasterInOneReply() {
    List<String> keys = keysOnEveryMaster("resp-");
    try (RespSocket client = new RespSocket(plain.respPort())) {
      for (String key : keys) {
        assertEquals(bulk("value of " + key), client.call(command("GET", key), bulk("value of " + key)));
      }
      String expected = "*4\r\n" + keys.stream().map(key -> bulk("value of " + key)).reduce("", String::concat) + "$-1\r\n";
      List<String> mget = new ArrayList<>(List.of("MGET"));
      mget.addAll(keys);
      mget.add("resp-absent");
      assertEquals(expected, client.call(command(mget.toArray(String[]::new)), expected));
    }
  }

  @Test
  void twoProxiesWithTrackingAreBothInvalidatedByAWriteMadeStraightOnTheOwningNode() {
    List<String> keys = keysOnEveryMaster("tracked-");
    String untracked = keys.get(0);
    assertEquals("value of " + untracked, valueOf(plain, untracked));
    for (String key : keys) {
      awaitValue(tracked, key, "value of " + key, DEADLINE);
      awaitValue(trackedFromReplicas, key, "value of " + key, DEADLINE);
      assertEquals("HIT", cacheHeader(tracked, key));
      assertEquals("HIT", cacheHeader(trackedFromReplicas, key));
    }
    for (String key : keys) {
      cluster.masterOf(key).commands().set(TestRedis.bytes(key), TestRedis.bytes("changed"));
    }
    for (String key : keys) {
      awaitValue(tracked, key, "changed", DEADLINE);
      awaitValue(trackedFromReplicas, key, "changed", DEADLINE);
    }
    // without tracking the old value stays until it expires: the invalidations above were tracking's doing
    assertEquals("value of " + untracked, valueOf(plain, untracked));
  }

  @Test
  void aSlotMigratedMidTestKeepsItsKeysServedAndTrackedOnItsNewMaster() {
    TestRedis source = cluster.masters().get(0);
    TestRedis target = cluster.masters().get(2);
    String cached = cluster.keyOn(source, "migrated-");
    int slot = TestCluster.slotOf(cached);
    String moved = TestCluster.keyInSlot(slot, "migrated-early-");
    String staying = TestCluster.keyInSlot(slot, "migrated-late-");
    for (String key : List.of(cached, moved, staying)) cluster.set(key, "value of " + key);
    assertEquals("value of " + cached, valueOf(tracked, cached));
    assertEquals("value of " + cached, valueOf(plain, cached));

    cluster.startMigration(slot, target);
    // one key moved, one not: the moved one is answered ASK by the source, the other by the source itself
    source.commands().migrate("127.0.0.1", target.port(), 0, 5_000,
        io.lettuce.core.MigrateArgs.Builder.keys(TestRedis.bytes(moved)));
    for (ProxyProcess proxy : List.of(plain, tracked)) {
      assertEquals("value of " + cached, valueOf(proxy, cached));
      assertEquals("value of " + moved, valueOf(proxy, moved));
      assertEquals("value of " + staying, valueOf(proxy, staying));
    }
    cluster.moveKeys(slot, source, target);
    cluster.finishMigration(slot, target);

    for (ProxyProcess proxy : List.of(plain, tracked)) awaitValue(proxy, cached, "value of " + cached, DEADLINE);
    String fresh = TestCluster.keyInSlot(slot, "migrated-after-");
    cluster.set(fresh, "new");
    awaitValue(tracked, fresh, "new", RECOVERY); // a miss, MOVED to the new master until the topology is refreshed
    target.commands().set(TestRedis.bytes(cached), TestRedis.bytes("written on the new master"));
    awaitValue(tracked, cached, "written on the new master", DEADLINE);
  }

  @Test
  void aFailoverKeepsCachedReadsServedAndMissesRecover() throws Exception {
    TestRedis master = cluster.masters().get(1);
    String key = cluster.keyOn(master, "failover-");
    List<String> others = keysOnEveryMaster("failover-other-");
    cluster.set(key, "before");
    assertEquals("before", valueOf(plain, key));
    assertEquals("before", valueOf(tracked, key));
    for (String other : others) assertEquals("value of " + other, valueOf(tracked, other));

    try (ReadsThroughout reads = new ReadsThroughout(plain, key, "before")) {
      cluster.failover(cluster.replicaOf(master));
      reads.assertAllServed();
    }
    String miss = cluster.keyOn(cluster.masterOf(key), "failover-after-");
    cluster.set(miss, "after");
    awaitValue(plain, miss, "after", RECOVERY);
    // tracking drops what the failed-over master's slots held, once Lettuce sees the new topology
    Eventually.await(RECOVERY, "the tracking proxy reads " + key + " again", () -> cacheHeader(tracked, key).equals("MISS"));
    assertEquals("before", valueOf(tracked, key));
    for (String other : others) {
      if (cluster.masterOf(other).port() != cluster.masterOf(key).port()) assertEquals("HIT", cacheHeader(tracked, other));
    }
  }

  @Test
  void aKilledMasterKeepsCachedReadsServedAndMissesRecoverOnceItsReplicaTookOver() throws Exception {
    TestRedis master = cluster.masters().get(2);
    String key = cluster.keyOn(master, "killed-");
    String other = cluster.keyOn(cluster.masters().get(0), "killed-other-");
    cluster.set(key, "before");
    cluster.set(other, "other");
    assertEquals("before", valueOf(plain, key));
    assertEquals("other", valueOf(tracked, other));
    try {
      try (ReadsThroughout reads = new ReadsThroughout(plain, key, "before");
          ReadsThroughout trackedReads = new ReadsThroughout(tracked, other, "other")) {
        cluster.kill(master);
        reads.assertAllServed();
        // tracking dropped the lost master's slots only: the other master's keys stayed cached
        trackedReads.assertAllServed();
      }
      String miss = cluster.keyOn(cluster.masterOf(key), "killed-after-");
      cluster.set(miss, "after");
      awaitValue(plain, miss, "after", RECOVERY);
      awaitValue(tracked, miss, "after", RECOVERY);
      cluster.masterOf(miss).commands().set(TestRedis.bytes(miss), TestRedis.bytes("changed on the new master"));
      awaitValue(tracked, miss, "changed on the new master", DEADLINE);
    } finally {
      cluster.restart(master);
    }
  }

  /**
   * Reads a cached key over and over on a thread of its own until closed; every answer must be
   * its value, from the cache.
   */
  private static final class ReadsThroughout implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger served = new AtomicInteger();
    private final List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> reading;

    ReadsThroughout(ProxyProcess proxy, String key, String expected) {
      reading = CompletableFuture.runAsync(() -> {
        while (!stop.get()) {
          HttpResponse<byte[]> response = proxy.get(key);
          String answer = response.statusCode() + " " + body(response) + " "
              + response.headers().firstValue("X-Cache").orElse("");
          if (answer.equals("200 " + expected + " HIT")) served.incrementAndGet();
          else wrong.add(answer);
        }
      });
    }

    void assertAllServed() throws Exception {
      stop.set(true);
      reading.get(30, TimeUnit.SECONDS);
      assertTrue(wrong.isEmpty(), "answers other than the cached value, as a hit: " + wrong);
      assertTrue(served.get() > 0, "no read was made");
    }

    @Override
    public void close() {
      stop.set(true);
    }
  }
}
