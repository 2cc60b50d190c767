package com.redisproxy.system.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.MigrateArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A real Redis Cluster on loopback: {@code masters} redis-servers that share the 16384 slots, each
 * with {@code replicasPerMaster} replicas, built the way {@code redis-cli --cluster create} does it
 * (CLUSTER MEET, ADDSLOTS, REPLICATE) since redis-cli may be absent. Every change a test makes
 * (failover, a stopped node, a migrated slot) waits until the nodes agree again, so what the test
 * checks next is the proxy's behaviour, not the cluster's convergence.
 */
public final class TestCluster implements AutoCloseable {
  public static final int SLOTS = 16384;
  // A failover or a rejoin takes a few node timeouts; on 2 loaded cores, several gossip rounds more.
  private static final Duration CONVERGENCE = Duration.ofSeconds(60);
  private static final int NODE_TIMEOUT_MILLIS = 2000;
  private static final Path REDIS_7 = Path.of("/usr/bin/redis-server");

  private final List<TestRedis> nodes = new ArrayList<>();
  private final Map<Integer, String> idsByPort = new HashMap<>();
  private final List<Path> directories = new ArrayList<>();
  private RedisClusterClient client;
  private StatefulRedisClusterConnection<byte[], byte[]> connection;

  private final Optional<Path> executable;

  private TestCluster(Optional<Path> executable) {
    this.executable = executable;
  }

  /** Starts and joins the nodes, and returns once every node says cluster_state:ok and every replica is in sync. */
  public static TestCluster started(int masters, int replicasPerMaster, String... settings) {
    return started(Optional.empty(), masters, replicasPerMaster, settings);
  }

  /**
   * As {@link #started(int, int, String...)}, on the redis-server at {@code executable} if given. A
   * test that announces another port for a node (a relay) needs Redis 7: 6.2 shows the node's own
   * line in its CLUSTER NODES with its real port, so a client may learn that and go round the relay.
   */
  public static TestCluster started(Optional<Path> executable, int masters, int replicasPerMaster, String... settings) {
    TestCluster cluster = new TestCluster(executable);
    try {
      cluster.startNodes(masters * (1 + replicasPerMaster), settings);
      cluster.join(masters, replicasPerMaster);
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * As {@link #started(int, int, String...)}, on Debian's Redis 7, which a test that puts a relay in
   * front of a node needs (see {@link #announce}); the test is skipped where it is not installed.
   */
  public static TestCluster startedOnRedis7(int masters, int replicasPerMaster) {
    assumeTrue(Files.isExecutable(REDIS_7), REDIS_7 + " (Redis 7) is not installed: skipping");
    return started(Optional.of(REDIS_7), masters, replicasPerMaster);
  }

  /** REDIS_ADDRESS for the proxy: every node as a seed. */
  public String address() {
    return "redis-cluster://" + nodes.stream().map(TestRedis::address).collect(Collectors.joining(","));
  }

  /** REDIS_ADDRESS naming only {@code node}, so that the rest must come from the topology. */
  public static String seedAddress(TestRedis node) {
    return "redis-cluster://" + node.address();
  }

  public List<TestRedis> nodes() {
    return List.copyOf(nodes);
  }

  /** The nodes that own slots now, ordered by their first slot. */
  public List<TestRedis> masters() {
    return view(anyRunningNode()).stream().filter(ClusterNode::isMaster).filter(node -> !node.slots().isEmpty())
        .sorted(Comparator.comparingInt(node -> node.slots().get(0)[0]))
        .map(node -> nodeWithId(node.id())).toList();
  }

  /** The node that owns {@code key}'s slot now. */
  public TestRedis masterOf(String key) {
    return masterOfSlot(slotOf(key));
  }

  public TestRedis masterOfSlot(int slot) {
    return idOwning(slot).map(this::nodeWithId).orElseThrow(() -> new AssertionError("no node owns slot " + slot));
  }

  // Empty while the owner has failed and no replica has taken over yet.
  // By id: a node may announce another port than its own (a test's relay).
  private Optional<String> idOwning(int slot) {
    return view(anyRunningNode()).stream().filter(ClusterNode::isMaster).filter(node -> node.owns(slot)).findFirst()
        .map(ClusterNode::id);
  }

  /** A running replica of {@code master}. */
  public TestRedis replicaOf(TestRedis master) {
    String masterId = idOf(master);
    return view(anyRunningNode()).stream().filter(node -> masterId.equals(node.masterId()))
        .map(node -> nodeWithId(node.id())).filter(TestRedis::isRunning).findFirst()
        .orElseThrow(() -> new AssertionError("no running replica of " + master.address()));
  }

  public String idOf(TestRedis node) {
    return idsByPort.get(node.port());
  }

  public static int slotOf(String key) {
    return SlotHash.getSlot(key);
  }

  /** A key named {@code prefix...} whose slot is owned by {@code master} now. */
  public String keyOn(TestRedis master, String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + i;
      if (masterOf(key).port() == master.port()) return key;
      if (i > 100_000) throw new AssertionError("no key found on " + master.address());
    }
  }

  /** A key named {@code prefix...} that hashes to {@code slot}. */
  public static String keyInSlot(int slot, String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + i;
      if (slotOf(key) == slot) return key;
    }
  }

  /**
   * Commands through a cluster client of the test's own, routed to each key's master. Its view of
   * the topology is refreshed after every change this class makes; a command to a node that is
   * down times out after 10 s. (Not REJECT_COMMANDS: Lettuce 7.7 then also fails the first command
   * to each node, while its connection is being opened.)
   */
  public RedisAdvancedClusterCommands<byte[], byte[]> commands() {
    if (connection == null) {
      client = RedisClusterClient.create(nodes.stream().filter(TestRedis::isRunning)
          .map(node -> RedisURI.create("127.0.0.1", node.port())).toList());
      client.setOptions(ClusterClientOptions.builder()
          .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(10)))
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers()
              .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1)).enablePeriodicRefresh(Duration.ofSeconds(1)).build())
          .build());
      connection = client.connect(ByteArrayCodec.INSTANCE);
    }
    return connection.sync();
  }

  /** SET on the node that owns {@code key} now, on a plain connection to it. */
  public void set(String key, String value) {
    masterOf(key).commands().set(TestRedis.bytes(key), TestRedis.bytes(value));
  }

  /** CLUSTER FAILOVER on {@code replica}: it and its master swap roles without losing a write. */
  public void failover(TestRedis replica) {
    replica.commands().clusterFailover(false);
    Eventually.await(CONVERGENCE, replica.address() + " is a master after CLUSTER FAILOVER",
        () -> view(replica).stream().anyMatch(node -> node.myself() && node.isMaster()));
    awaitHealthy();
  }

  /** Stops {@code master} (the process ends) and waits until a replica took its slots over. */
  public void kill(TestRedis master) {
    List<int[]> slots = view(master).stream().filter(ClusterNode::myself).findFirst().orElseThrow().slots();
    master.stop();
    Eventually.await(CONVERGENCE, "another node took over the slots of stopped " + master.address(),
        () -> slots.stream().allMatch(range -> idOwning(range[0]).filter(id -> !id.equals(idOf(master))).isPresent()));
    awaitHealthy();
  }

  /** Starts a stopped node again: it rejoins with its old id (from its nodes.conf), as a replica if it was failed over. */
  public void restart(TestRedis node) {
    node.start();
    awaitHealthy();
  }

  /** Moves {@code slot} and its keys to {@code target} (MIGRATING/IMPORTING, MIGRATE, SETSLOT NODE). */
  public void migrateSlot(int slot, TestRedis target) {
    TestRedis source = masterOfSlot(slot);
    startMigration(slot, target);
    moveKeys(slot, source, target);
    finishMigration(slot, target);
  }

  /** Marks {@code slot} as migrating to {@code target}: from now on its missing keys answer ASK. */
  public void startMigration(int slot, TestRedis target) {
    TestRedis source = masterOfSlot(slot);
    target.commands().clusterSetSlotImporting(slot, idOf(source));
    source.commands().clusterSetSlotMigrating(slot, idOf(target));
  }

  /** MIGRATE every key of {@code slot} from {@code source} to {@code target}. */
  public void moveKeys(int slot, TestRedis source, TestRedis target) {
    while (true) {
      List<byte[]> keys = source.commands().clusterGetKeysInSlot(slot, 100);
      if (keys.isEmpty()) return;
      source.commands().migrate("127.0.0.1", target.port(), 0, 5_000, MigrateArgs.Builder.keys(keys));
    }
  }

  /** SETSLOT NODE on every master (the target first, as redis-cli does), then waits until all agree. */
  public void finishMigration(int slot, TestRedis target) {
    String targetId = idOf(target);
    target.commands().clusterSetSlotNode(slot, targetId);
    for (TestRedis master : masters()) {
      if (master.port() != target.port()) master.commands().clusterSetSlotNode(slot, targetId);
    }
    Eventually.await(CONVERGENCE, "every node sees slot " + slot + " on " + target.address(),
        () -> running().allMatch(node -> view(node).stream().anyMatch(n -> n.port() == target.port() && n.owns(slot))));
    awaitHealthy();
  }

  /**
   * {@code node} tells the others {@code port} (a relay's) as its address, its bus port unchanged;
   * returns once every master names that port. Needs Redis 7 ({@link #startedOnRedis7}).
   */
  public void announce(TestRedis node, int port) {
    config(node, "cluster-announce-bus-port", node.port() + 10_000);
    config(node, "cluster-announce-port", port);
    awaitMastersName(port, node.port() + " is announced as " + port);
  }

  /** Undoes {@link #announce}: returns once every master names {@code node}'s own port again. */
  public void announceOwnPort(TestRedis node) {
    config(node, "cluster-announce-port", 0);
    awaitMastersName(node.port(), node.port() + " is announced as itself again");
  }

  private void awaitMastersName(int port, String what) {
    for (TestRedis master : masters()) {
      Eventually.await(Duration.ofSeconds(30), master.address() + " says " + what,
          () -> new String(master.commands().clusterNodes()).contains(":" + port + "@"));
    }
  }

  private static void config(TestRedis node, String name, Object value) {
    node.commands().dispatch(CommandType.CONFIG, new StatusOutput<>(ByteArrayCodec.INSTANCE),
        new CommandArgs<>(ByteArrayCodec.INSTANCE).add("SET").add(name).add(String.valueOf(value)));
  }

  /**
   * Waits until every running node says cluster_state:ok, all agree who owns every slot and which
   * node replicates which, and every running replica's link to its master is up.
   */
  public void awaitHealthy() {
    Eventually.await(CONVERGENCE, "the cluster is healthy: state ok, one slot map, replicas in sync", this::healthy);
    if (client != null) client.refreshPartitions();
  }

  private boolean healthy() {
    List<TestRedis> running = running().toList();
    String slotMap = null;
    String roles = null;
    for (TestRedis node : running) {
      if (!node.commands().clusterInfo().contains("cluster_state:ok")) return false;
      List<ClusterNode> view = view(node);
      String map = slotMap(view);
      if (slotMap != null && !slotMap.equals(map)) return false;
      slotMap = map;
      // a restarted master turns replica in the others' views a few gossip rounds after in its own
      String nodeRoles = roles(view);
      if (roles != null && !roles.equals(nodeRoles)) return false;
      roles = nodeRoles;
      ClusterNode self = view.stream().filter(ClusterNode::myself).findFirst().orElseThrow();
      if (!self.isMaster() && !node.commands().info("replication").contains("master_link_status:up")) return false;
      // a node that failed and came back must be seen as running again by everyone
      if (view.stream().anyMatch(n -> n.flags().contains("fail") && runningWithId(n.id()))) return false;
    }
    return slotMap != null;
  }

  // By node id, not port: a node announcing another port (a test's relay) is the same node, and
  // Redis 6.2 shows its own line with its real port, the others with the announced one.
  private String roles(List<ClusterNode> view) {
    return view.stream().filter(node -> runningWithId(node.id()))
        .map(node -> node.id() + (node.masterId() == null ? " master" : " replicates " + node.masterId()))
        .sorted().collect(Collectors.joining(","));
  }

  private static String slotMap(List<ClusterNode> view) {
    return view.stream().filter(ClusterNode::isMaster).filter(node -> !node.slots().isEmpty())
        .flatMap(node -> node.slots().stream().map(range -> range[0] + "-" + range[1] + "@" + node.id()))
        .sorted().collect(Collectors.joining(","));
  }

  private boolean runningWithId(String id) {
    return running().anyMatch(node -> id.equals(idOf(node)));
  }

  private void startNodes(int count, String... settings) {
    for (int i = 0; i < count; i++) {
      Path directory;
      try {
        directory = Files.createTempDirectory("test-cluster-node");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      directories.add(directory);
      List<String> all = new ArrayList<>(List.of("cluster-enabled yes", "cluster-config-file nodes.conf",
          "dir " + directory, "cluster-node-timeout " + NODE_TIMEOUT_MILLIS,
          // a replica may always take over, however long it was cut off: tests kill masters on purpose
          "cluster-replica-validity-factor 0"));
      all.addAll(List.of(settings));
      TestRedis node = new TestRedis(portWithFreeBusPort(), executable, all.toArray(String[]::new));
      nodes.add(node);
      node.start();
      idsByPort.put(node.port(), node.commands().clusterMyId());
    }
  }

  private void join(int masters, int replicasPerMaster) {
    TestRedis first = nodes.get(0);
    for (TestRedis node : nodes.subList(1, nodes.size())) first.commands().clusterMeet("127.0.0.1", node.port());
    Eventually.await(CONVERGENCE, "every node knows all " + nodes.size(), () -> nodes.stream().allMatch(node ->
        view(node).stream().filter(n -> !n.flags().contains("handshake")).count() == nodes.size()));
    for (int m = 0; m < masters; m++) {
      int from = SLOTS * m / masters;
      int to = SLOTS * (m + 1) / masters;
      nodes.get(m).commands().clusterAddSlots(IntStream.range(from, to).toArray());
    }
    // a replica can follow a master only once it has heard that the master owns slots
    Eventually.await(CONVERGENCE, "every node sees all slots assigned", () -> running().allMatch(node ->
        node.commands().clusterInfo().contains("cluster_slots_assigned:" + SLOTS)));
    for (int r = 0; r < masters * replicasPerMaster; r++) {
      TestRedis replica = nodes.get(masters + r);
      replica.commands().clusterReplicate(idOf(nodes.get(r % masters)));
    }
    awaitHealthy();
    Eventually.await(CONVERGENCE, "every master has its " + replicasPerMaster + " replicas", () ->
        nodes.subList(0, masters).stream().allMatch(master -> view(first).stream()
            .filter(n -> idOf(master).equals(n.masterId())).count() == replicasPerMaster));
  }

  private Stream<TestRedis> running() {
    return nodes.stream().filter(TestRedis::isRunning);
  }

  private TestRedis anyRunningNode() {
    return running().findFirst().orElseThrow(() -> new AssertionError("no cluster node is running"));
  }

  private TestRedis nodeWithId(String id) {
    return nodes.stream().filter(node -> id.equals(idOf(node))).findFirst()
        .orElseThrow(() -> new AssertionError("no node of this cluster has id " + id));
  }

  private static List<ClusterNode> view(TestRedis node) {
    return node.commands().clusterNodes().lines().map(ClusterNode::parse).toList();
  }

  // The cluster bus listens on port + 10000 (Redis 6.2 has no cluster-port): pick both below the
  // kernel's ephemeral range, where no outgoing connection takes them meanwhile.
  private static int portWithFreeBusPort() {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(12_000, 22_000);
      if (free(port) && free(port + 10_000)) return port;
    }
    throw new AssertionError("no free port pair (p, p + 10000)");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (connection != null) connection.close();
    if (client != null) client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    for (TestRedis node : nodes) {
      if (node.isRunning()) node.stop();
    }
    for (Path directory : directories) deleteRecursively(directory);
  }

  private static void deleteRecursively(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory; the OS cleans it eventually
    }
  }

  /** One line of CLUSTER NODES: {@code id ip:port@bus flags master ping pong epoch link slot...}. */
  private record ClusterNode(String id, int port, String flags, String masterId, List<int[]> slots) {
    static ClusterNode parse(String line) {
      String[] fields = line.trim().split(" ");
      String address = fields[1];
      int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1, address.indexOf('@')));
      List<int[]> slots = new ArrayList<>();
      for (int i = 8; i < fields.length; i++) {
        if (fields[i].startsWith("[")) continue; // a slot being migrated or imported
        String[] range = fields[i].split("-");
        int from = Integer.parseInt(range[0]);
        slots.add(new int[] {from, range.length == 1 ? from : Integer.parseInt(range[1])});
      }
      return new ClusterNode(fields[0], port, fields[2], fields[3].equals("-") ? null : fields[3], slots);
    }

    boolean isMaster() {
      return flags.contains("master") && !flags.contains("fail");
    }

    boolean myself() {
      return flags.contains("myself");
    }

    boolean owns(int slot) {
      return slots.stream().anyMatch(range -> range[0] <= slot && slot <= range[1]);
    }
  }
}
