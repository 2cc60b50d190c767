package com.redisproxy.system.support;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import redis.embedded.core.ExecutableProvider;

/**
 * A master Sentinel watches: one master, one replica and three sentinels, all real redis-server
 * processes on loopback (a sentinel is the same binary with {@code --sentinel} and a config file
 * of its own, which it rewrites). Failure detection is fast (1 s) so that a failover takes seconds.
 */
public final class TestSentinels implements AutoCloseable {
  public static final String MASTER_NAME = "mymaster";
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private final List<TestRedis> nodes = new ArrayList<>();
  private final List<Process> sentinels = new ArrayList<>();
  private final List<Integer> sentinelPorts = new ArrayList<>();
  private final Path directory;
  private final RedisClient client = RedisClient.create();
  private final java.util.Optional<String> password;

  private TestSentinels(java.util.Optional<String> password) {
    this.password = password;
    try {
      directory = Files.createTempDirectory("redis-sentinels");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Started, with the replica in sync and every sentinel knowing the replica and the two other sentinels. */
  public static TestSentinels started() {
    return started(new TestSentinels(java.util.Optional.empty()));
  }

  /** As {@link #started()}, with the master and the replica asking for {@code password} (the sentinels do not). */
  public static TestSentinels startedWithPassword(String password) {
    return started(new TestSentinels(java.util.Optional.of(password)));
  }

  private static TestSentinels started(TestSentinels set) {
    try {
      set.start();
      return set;
    } catch (RuntimeException | AssertionError e) {
      set.close();
      throw e;
    }
  }

  // The replica is in sync before the sentinels start: the first INFO a sentinel reads from the
  // master then lists it, instead of the next one ten seconds later.
  private void start() {
    List<String> auth = password.map(secret -> List.of("requirepass " + secret, "masterauth " + secret)).orElse(List.of());
    TestRedis master = TestRedis.started(auth.toArray(String[]::new));
    nodes.add(master);
    List<String> replicaSettings = new ArrayList<>(auth);
    replicaSettings.add("replicaof 127.0.0.1 " + master.port());
    TestRedis replica = TestRedis.started(replicaSettings.toArray(String[]::new));
    nodes.add(replica);
    awaitInSync(replica);
    File binary = redisServerBinary();
    for (int i = 0; i < 3; i++) sentinels.add(startSentinel(binary, master.port()));
    awaitSettled(master.port());
  }

  /** Lettuce's Sentinel URI for these sentinels, with the master's password if it has one. */
  public String address() {
    return "redis-sentinel://" + password.map(secret -> secret + "@").orElse("") + sentinelPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","))
        + "#" + MASTER_NAME;
  }

  /** The same sentinels, asked about a master name none of them watches. */
  public String addressForMaster(String name) {
    return address().replace("#" + MASTER_NAME, "#" + name);
  }

  /** The node the first sentinel names the master now. */
  public TestRedis master() {
    int port = masterPortSeenBy(sentinelPorts.get(0));
    return nodes.stream().filter(node -> node.port() == port).findFirst()
        .orElseThrow(() -> new AssertionError("the sentinels name an unknown master on " + port));
  }

  /** The node that is not {@code node}. */
  public TestRedis other(TestRedis node) {
    return nodes.get(0) == node ? nodes.get(1) : nodes.get(0);
  }

  /** Asks a sentinel for a failover, without waiting: see {@link #awaitMaster}. */
  public void requestFailover() {
    withSentinel(sentinelPorts.get(0), sentinel -> sentinel.failover(MASTER_NAME));
  }

  /** Waits until {@link #allName} {@code node}. */
  public void awaitMaster(TestRedis node, Duration deadline) {
    Eventually.await(deadline, "every sentinel names 127.0.0.1:" + node.port() + " the master", () -> allName(node));
  }

  /** True when every sentinel names {@code node} the master and it says it is one. */
  public boolean allName(TestRedis node) {
    return sentinelPorts.stream().allMatch(port -> masterPortSeenBy(port) == node.port())
        && info(node).contains("role:master");
  }

  /** Waits until {@code node} is a replica of the master again, in sync. */
  public void awaitInSync(TestRedis node) {
    Eventually.await(SETTLE, "127.0.0.1:" + node.port() + " replicates in sync", () -> {
      String replication = info(node);
      return replication.contains("role:slave") && replication.contains("master_link_status:up");
    });
  }

  private static String info(TestRedis node) {
    return node.commands().info("replication");
  }

  private Process startSentinel(File binary, int masterPort) {
    int port = FreePort.find();
    sentinelPorts.add(port);
    Path config = directory.resolve("sentinel-" + port + ".conf");
    try {
      Files.writeString(config, String.join("\n",
          "port " + port,
          "bind 127.0.0.1",
          "dir " + directory,
          "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2",
          "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
          "sentinel failover-timeout " + MASTER_NAME + " 3000",
          "sentinel parallel-syncs " + MASTER_NAME + " 1",
          password.map(secret -> "sentinel auth-pass " + MASTER_NAME + " " + secret).orElse(""),
          ""));
      Process process = new ProcessBuilder(binary.getPath(), config.toString(), "--sentinel")
          .redirectErrorStream(true).redirectOutput(directory.resolve("sentinel-" + port + ".log").toFile()).start();
      Eventually.await(Duration.ofSeconds(20), "the sentinel on " + port + " answers", () -> {
        if (!process.isAlive()) throw new AssertionError("the sentinel on " + port + " exited: " + log(port));
        masterPortSeenBy(port);
        return true;
      });
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitSettled(int masterPort) {
    for (int port : sentinelPorts) {
      Eventually.await(SETTLE, "the sentinel on " + port + " knows the replica and the other sentinels", () ->
          withSentinel(port, sentinel -> {
            Map<String, String> master = sentinel.master(MASTER_NAME);
            return master.get("port").equals(String.valueOf(masterPort))
                && master.get("num-slaves").equals("1") && master.get("num-other-sentinels").equals("2")
                && sentinel.replicas(MASTER_NAME).stream().allMatch(replica -> replica.get("flags").equals("slave"));
          }));
    }
  }

  private int masterPortSeenBy(int sentinelPort) {
    return withSentinel(sentinelPort, sentinel ->
        ((InetSocketAddress) sentinel.getMasterAddrByName(MASTER_NAME)).getPort());
  }

  private <T> T withSentinel(int port, java.util.function.Function<RedisSentinelCommands<String, String>, T> use) {
    try (StatefulRedisSentinelConnection<String, String> connection =
        client.connectSentinel(RedisURI.create("127.0.0.1", port))) {
      return use.apply(connection.sync());
    }
  }

  private String log(int port) {
    try {
      return Files.readString(directory.resolve("sentinel-" + port + ".log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  // embedded-redis extracts the redis-server binary it ships for this platform and hands its path out.
  private static File redisServerBinary() {
    try {
      return ExecutableProvider.newJarResourceProvider().get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Process sentinel : sentinels) {
      sentinel.destroy();
      try {
        if (!sentinel.waitFor(10, TimeUnit.SECONDS)) sentinel.destroyForcibly();
      } catch (InterruptedException e) {
        sentinel.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    for (TestRedis node : nodes) node.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    try (var files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory; the OS cleans it eventually
    }
  }
}
