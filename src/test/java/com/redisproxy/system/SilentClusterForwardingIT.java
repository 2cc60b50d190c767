package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.FaultyRelay;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestCluster;
import com.redisproxy.system.support.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The RESP port in front of a Redis Cluster whose every master is reached through a
 * {@link FaultyRelay}: when every link open at the time goes silent for good (a middlebox lost
 * them), a forwarded command, keyed or keyless, fails within the forward timeout, and commands are
 * answered again on new connections. Other clients keep forwarding meanwhile, and none of their
 * commands waits longer than the timeout either.
 */
class SilentClusterForwardingIT {
  private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(2);
  // The forward timeout, plus a loaded machine's slack.
  private static final Duration ANSWERED_WITHIN = FORWARD_TIMEOUT.plusSeconds(3);

  private static TestCluster cluster;
  private static final List<FaultyRelay> relays = new ArrayList<>();

  // Redis 7: a node shows its announced port in its own CLUSTER NODES line, so the proxy cannot
  // learn the real one and go round a relay (6.2 shows the real one; see TestCluster).
  @BeforeAll
  static void startClusterBehindRelays() {
    cluster = TestCluster.startedOnRedis7(3, 0);
    for (TestRedis master : cluster.masters()) {
      FaultyRelay relay = FaultyRelay.to(master.port());
      relays.add(relay);
      cluster.announce(master, relay.port());
    }
  }

  @AfterAll
  static void stop() {
    relays.forEach(FaultyRelay::close);
    if (cluster != null) cluster.close();
  }

  private static ProxyProcess proxy() {
    // Seeded with a node's own port: what the proxy knows of the nodes comes from the topology (the relays).
    return ProxyProcess.start(TestCluster.seedAddress(cluster.masters().get(1)),
        Map.of("PROXY_RESP_FORWARD_TIMEOUT", FORWARD_TIMEOUT.toMillis() + "ms"));
  }

  private static int accepted() {
    return relays.stream().mapToInt(FaultyRelay::connectionsAccepted).sum();
  }

  @Test
  void aKeylessForwardedCommandOnASilentLinkFailsWithinTheTimeoutAndTheNextOnesSucceedOnANewConnection() {
    String publish = command("PUBLISH", "silent-cluster-channel", "m");
    try (ProxyProcess proxy = proxy(); RespSocket client = new RespSocket(proxy.respPort(), Duration.ofSeconds(20))) {
      Eventually.await(Duration.ofSeconds(60), "a PUBLISH is answered", () -> timed(client, publish).startsWith(":"));
      Traffic traffic = Traffic.start(proxy, cluster);
      int before = accepted();

      relays.forEach(FaultyRelay::blackHoleOpenLinks);
      String reply = timed(client, publish);
      assertTrue(reply.startsWith("-ERR the Redis Cluster did not answer"), reply);
      Eventually.await(Duration.ofSeconds(20), "a PUBLISH is answered again", () -> timed(client, publish).startsWith(":"));
      assertTrue(accepted() > before, "the proxy opened new connections");
      traffic.stop();
      traffic.assertNoneWaitedTooLong();
    }
  }

  @Test
  void aKeyedForwardedCommandOnASilentLinkFailsWithinTheTimeoutAndTheNextOnesSucceedOnANewConnection() {
    String key = cluster.keyOn(cluster.masters().get(0), "silent-set-");
    String set = command("SET", key, "v");
    try (ProxyProcess proxy = proxy(); RespSocket client = new RespSocket(proxy.respPort(), Duration.ofSeconds(20))) {
      Eventually.await(Duration.ofSeconds(60), "a forwarded SET is answered", () -> timed(client, set).equals("+OK\r\n"));
      Traffic traffic = Traffic.start(proxy, cluster);
      int before = accepted();

      relays.forEach(FaultyRelay::blackHoleOpenLinks);
      String reply = timed(client, set);
      assertTrue(reply.startsWith("-ERR the Redis Cluster did not answer"), reply);
      Eventually.await(Duration.ofSeconds(20), "a forwarded SET is answered again", () -> timed(client, set).equals("+OK\r\n"));
      assertTrue(accepted() > before, "the proxy opened new connections");
      traffic.stop();
      traffic.assertNoneWaitedTooLong();
    }
  }

  // One request's reply line, which must come within the forward timeout and slack.
  private static String timed(RespSocket client, String request) {
    long sent = System.nanoTime();
    String reply = client.send(request).readLine();
    long millis = (System.nanoTime() - sent) / 1_000_000;
    if (!reply.startsWith("+") && !reply.startsWith(":")) {
      System.out.println("SilentClusterForwardingIT: " + reply.trim() + " after " + millis + " ms");
    }
    assertTrue(millis < ANSWERED_WITHIN.toMillis(), () -> "answered after " + millis + " ms: " + reply);
    return reply;
  }

  /**
   * Two clients forwarding SETs to keys on every master, one after another, for as long as the
   * test runs: commands are written on connections while they go silent and are replaced.
   */
  private static final class Traffic {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong longestMillis = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    static Traffic start(ProxyProcess proxy, TestCluster cluster) {
      Traffic traffic = new Traffic();
      List<String> keys = new ArrayList<>();
      for (TestRedis master : cluster.masters()) keys.add(cluster.keyOn(master, "traffic-"));
      for (int i = 0; i < 2; i++) {
        Thread thread = new Thread(() -> traffic.run(proxy, keys), "traffic-" + i);
        thread.setDaemon(true);
        traffic.threads.add(thread);
        thread.start();
      }
      return traffic;
    }

    private void run(ProxyProcess proxy, List<String> keys) {
      try (RespSocket client = new RespSocket(proxy.respPort(), Duration.ofSeconds(20))) {
        for (long n = 0; running.get(); n++) {
          long sent = System.nanoTime();
          client.send(command("SET", keys.get((int) (n % keys.size())), Long.toString(n))).readLine();
          longestMillis.accumulateAndGet((System.nanoTime() - sent) / 1_000_000, Math::max);
        }
      } catch (RuntimeException | Error e) {
        if (running.get()) failures.add(e);
      }
    }

    void assertNoneWaitedTooLong() {
      System.out.println("SilentClusterForwardingIT: the other clients' longest wait " + longestMillis.get() + " ms");
      assertTrue(failures.isEmpty(), () -> "a client's command was not answered: " + failures.peek());
      assertTrue(longestMillis.get() < ANSWERED_WITHIN.toMillis(),
          () -> "another client's command was answered after " + longestMillis.get() + " ms");
    }

    void stop() {
      running.set(false);
      for (Thread thread : threads) {
        try {
          thread.join(Duration.ofSeconds(25).toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
