package com.redisproxy.fetch.cluster;

import com.redisproxy.fetch.BackingStore;
import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.Failures;
import com.redisproxy.fetch.FetchSettings;
import com.redisproxy.fetch.InvalidationListener;
import com.redisproxy.fetch.location.RedisTarget;
import com.redisproxy.fetch.redis.BackingRedis;
import com.redisproxy.fetch.redis.LentEventLoop;
import com.redisproxy.fetch.redis.GetGrouping;
import com.redisproxy.fetch.redis.MissBatch;
import com.redisproxy.fetch.KeyRead;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis Cluster as the backing store: one Lettuce cluster connection, which routes each GET to
 * the node owning the key's slot (or a replica of it, per REDIS_READ_FROM) and follows MOVED and
 * ASK. The topology is refreshed on MOVED, ASK and reconnects, at most once a second, and every
 * few seconds besides: without a refresh every command times out after a failover, and Lettuce 7
 * by default refreshes at most every 5 s and never periodically. Commands fail fast while their
 * node is unreachable; the first connection is retried until a seed answers.
 */
public final class ClusterBackingRedis implements BackingStore {
  private static final Logger log = LoggerFactory.getLogger(ClusterBackingRedis.class);
  private final ClientResources resources;

  private final RedisClusterClient client;
  private final RedisTarget.Cluster target;
  private final FetchSettings settings;
  private final ReadFrom readFrom;
  private final InvalidationListener invalidations;
  private volatile StatefulRedisClusterConnection<ByteString, ByteString> connection;
  private volatile Optional<ClusterNodeConnections> nodeConnections = Optional.empty();
  // Set before the connection: a read that finds the connection finds its leases.
  private volatile ClusterNodeLeases leases;
  private volatile ScheduledFuture<?> nodeConnectionsCheck;
  private volatile boolean closed;
  private volatile String lastConnectFailure = "connecting";

  /**
   * @param ioLoop an event loop of the proxy's own for the node connections' I/O (see
   *     {@link LentEventLoop}): a miss is then written, read back and handed over on the cache's thread
   */
  public ClusterBackingRedis(RedisTarget.Cluster target, FetchSettings settings, InvalidationListener invalidations,
      Optional<BackingRedis.LoopToLend> ioLoop) {
    this.target = target;
    this.settings = settings;
    this.readFrom = settings.readFrom();
    this.invalidations = invalidations;
    ClientResources.Builder resources = ClientResources.builder()
        .reconnectDelay(ClusterClientChoices.reconnectDelay()).nettyCustomizer(MissBatch.CHANNEL_SETUP);
    boolean lent = LentEventLoop.lendTo(resources, ioLoop);
    log.info("Cluster misses are read on {}", lent
        ? "the cache's event loop" : "Lettuce's own event loops (none lent, or its transport differs)");
    this.resources = resources.build();
    this.client = RedisClusterClient.create(this.resources,
        ClusterClientChoices.seedsAnsweringWithin(target.seeds(), settings.fetchTimeout()));
    // A batch of misses has one deadline, the fetch timeout; every other command has its own.
    this.client.setOptions(ClusterClientChoices.options(settings.fetchTimeout(), settings.connectTimeout())
        .timeoutOptions(TimeoutOptions.builder().timeoutSource(MissBatch.timeoutsOutsideBatches(settings.fetchTimeout())).build())
        .build());
    connect();
  }

  @Override
  public CompletionStage<RedisValue> get(ByteString key) {
    StatefulRedisClusterConnection<ByteString, ByteString> current = connection;
    if (current == null) {
      return CompletableFuture.failedFuture(new RedisConnectionException("not connected: " + lastConnectFailure));
    }
    // Stamped before it is sent; cached only if its nodes still hold that stamp once it is answered.
    ClusterNodeLeases.Stamp stamp = leases.stampFor(SlotHash.getSlot(key.asByteBuffer()));
    RedisAdvancedClusterAsyncCommands<ByteString, ByteString> commands = current.async();
    RedirectNoted<ByteString, ByteString, ByteString> valueOutput = RedirectNoted.bulk(ByteStringCodec.INSTANCE);
    CompletionStage<ByteString> value = commands.dispatch(CommandType.GET, valueOutput, keyArgs(key));
    if (!settings.readTtl()) {
      return value.thenApply(bytes -> new RedisValue(bytes, RedisValue.NO_EXPIRY,
          !valueOutput.redirected() && stamp.stillHeld()));
    }
    // Both go to the key's slot, pipelined: one round trip. PTTL -2: deleted in between. Reading from
    // replicas, Lettuce may send the two to different replicas of the slot (docs/cluster.md).
    RedirectNoted<ByteString, ByteString, Long> ttlOutput = RedirectNoted.integer(ByteStringCodec.INSTANCE);
    return value.thenCombine(commands.dispatch(CommandType.PTTL, ttlOutput, keyArgs(key)), (bytes, ttl) ->
        new RedisValue(ttl == -2 ? null : bytes, ttl < 0 ? RedisValue.NO_EXPIRY : Math.max(ttl, 0),
            !valueOutput.redirected() && !ttlOutput.redirected() && stamp.stillHeld()));
  }

  /**
   * Reading from masters, the misses of one call go to each master as one batch (see
   * {@link MissBatch}: one write, one completion, one deadline), on its node connection, where one
   * command at a time through the cluster connection costs a future, a timer and a hand-over
   * each. A key the batch cannot serve (its master's connection not open, a MOVED or ASK after a
   * slot moved) is read again by {@link #get}, which follows redirects and caches nothing it was
   * redirected for.
   */
  @Override
  public CompletionStage<List<KeyRead>> getAll(List<ByteString> keys) {
    StatefulRedisClusterConnection<ByteString, ByteString> current = connection;
    if (current == null || readFrom != ReadFrom.UPSTREAM) return BackingStore.super.getAll(keys);
    Map<RedisClusterNode, List<Integer>> byMaster = new LinkedHashMap<>();
    List<Integer> elsewhere = new ArrayList<>();
    int[] slots = new int[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      slots[i] = SlotHash.getSlot(keys.get(i).asByteBuffer());
      RedisClusterNode master = current.getPartitions().getMasterBySlot(slots[i]);
      if (master == null || master.getUri() == null) elsewhere.add(i);
      else byMaster.computeIfAbsent(master, node -> new ArrayList<>()).add(i);
    }
    KeyRead[] reads = new KeyRead[keys.size()];
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    byMaster.forEach((master, indexes) -> parts.add(readFromMaster(current, master, keys, slots, indexes, reads)));
    if (!elsewhere.isEmpty()) parts.add(readOneByOne(keys, elsewhere, reads));
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(all -> Arrays.asList(reads));
  }

  private CompletableFuture<Void> readFromMaster(StatefulRedisClusterConnection<ByteString, ByteString> current,
      RedisClusterNode master, List<ByteString> keys, int[] slots, List<Integer> indexes, KeyRead[] reads) {
    CompletableFuture<StatefulRedisConnection<ByteString, ByteString>> node =
        current.getConnectionAsync(master.getUri().getHost(), master.getUri().getPort(), ConnectionIntent.WRITE);
    if (!node.isDone() || node.isCompletedExceptionally()) return readOneByOne(keys, indexes, reads);
    // Stamped before they are sent; cached only if their nodes still hold that stamp once answered.
    ClusterNodeLeases.Stamp[] stamps = new ClusterNodeLeases.Stamp[indexes.size()];
    List<RedisFetcher.Wanted> batch = new ArrayList<>(indexes.size());
    for (int i = 0; i < indexes.size(); i++) {
      stamps[i] = leases.stampFor(slots[indexes.get(i)]);
      batch.add(new RedisFetcher.Wanted(keys.get(indexes.get(i)), 0));
    }
    // A GET a key, not one MGET: a master's keys are in many slots (CROSSSLOT).
    return MissBatch.send(node.join(), batch, settings.readTtl(), GetGrouping.OFF, settings.fetchTimeout(), resources.timer())
        .toCompletableFuture().thenCompose(batchReads -> {
          List<Integer> redirected = new ArrayList<>();
          for (int i = 0; i < indexes.size(); i++) {
            KeyRead read = batchReads.get(i);
            if (read.failure() != null && isRedirect(read.failure())) {
              redirected.add(indexes.get(i));
            } else if (read.failure() != null || stamps[i].stillHeld()) {
              reads[indexes.get(i)] = read;
            } else {
              RedisValue value = read.value();
              reads[indexes.get(i)] = KeyRead.of(new RedisValue(value.value(), value.ttlMillis(), false));
            }
          }
          return redirected.isEmpty() ? CompletableFuture.completedFuture(null) : readOneByOne(keys, redirected, reads);
        });
  }

  private CompletableFuture<Void> readOneByOne(List<ByteString> keys, List<Integer> indexes, KeyRead[] reads) {
    List<CompletableFuture<Void>> each = new ArrayList<>(indexes.size());
    for (int index : indexes) {
      each.add(get(keys.get(index)).handle((value, failure) -> {
        reads[index] = failure == null ? KeyRead.of(value) : KeyRead.failed(failure);
        return (Void) null;
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
  }

  private static boolean isRedirect(Throwable failure) {
    String message = failure.getMessage();
    return failure instanceof RedisCommandExecutionException && message != null
        && (message.startsWith("MOVED") || message.startsWith("ASK"));
  }

  private static CommandArgs<ByteString, ByteString> keyArgs(ByteString key) {
    return new CommandArgs<>(ByteStringCodec.INSTANCE).addKey(key);
  }

  /** With tracking, true while every node a read may go to has tracking on and its lease held. */
  @Override
  public boolean everyLeaseHeld() {
    ClusterNodeLeases current = leases;
    return current != null && current.everyReadNodeHeld();
  }

  @Override
  public CompletionStage<List<Object>> commandTable() {
    StatefulRedisClusterConnection<ByteString, ByteString> current = connection;
    if (current == null) {
      return CompletableFuture.failedFuture(new RedisConnectionException("not connected: " + lastConnectFailure));
    }
    return current.async().command();
  }

  @Override
  public boolean isConnected() {
    StatefulRedisClusterConnection<ByteString, ByteString> current = connection;
    return current != null && current.isOpen()
        && nodeConnections.map(ClusterNodeConnections::everyReadNodeOpen).orElse(false);
  }

  @Override
  public String address() {
    return target.redacted();
  }

  private void connect() {
    if (closed) return;
    // connectAsync needs a first topology, which only the blocking getPartitions() would load itself
    client.refreshPartitionsAsync().thenCompose(loaded -> client.connectAsync(ByteStringCodec.INSTANCE))
        .whenComplete((connected, failure) -> {
      if (failure == null) {
        connected.setReadFrom(readFrom);
        if (closed) {
          connected.closeAsync();
          return;
        }
        // reads are let through once the nodes' connections are open: a read finding its node's
        // connection still opening would fail
        openNodeConnections(connected).whenComplete((opened, notOpened) -> {
          connection = connected;
          log.info("Connected to Redis Cluster {} ({} nodes known), reading from {}",
              address(), connected.getPartitions().size(), readFromName());
        });
      } else {
        String reason = Failures.rootMessage(failure);
        if (!reason.equals(lastConnectFailure)) {
          log.warn("Redis Cluster {} unreachable, retrying every {} ms: {}", address(), ClusterClientChoices.RETRY_DELAY.toMillis(), reason);
        }
        lastConnectFailure = reason;
        client.getResources().eventExecutorGroup().schedule(this::connect, ClusterClientChoices.RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  private CompletableFuture<Void> openNodeConnections(StatefulRedisClusterConnection<ByteString, ByteString> connected) {
    leases = new ClusterNodeLeases(connected, invalidations, settings, resources.eventExecutorGroup());
    ClusterNodeConnections nodes = new ClusterNodeConnections(connected, readFrom, leases, resources.eventBus());
    nodeConnections = Optional.of(nodes);
    nodeConnectionsCheck = resources.eventExecutorGroup().scheduleWithFixedDelay(nodes::openAll,
        ClusterClientChoices.NODE_CONNECTIONS_CHECK.toMillis(), ClusterClientChoices.NODE_CONNECTIONS_CHECK.toMillis(), TimeUnit.MILLISECONDS);
    return nodes.openAll();
  }

  private String readFromName() {
    if (readFrom == ReadFrom.UPSTREAM) return "masters";
    if (readFrom == ReadFrom.REPLICA) return "replicas";
    if (readFrom == ReadFrom.REPLICA_PREFERRED) return "replicas, else masters";
    return readFrom == ReadFrom.NEAREST ? "the nearest node" : readFrom.toString();
  }

  @Override
  public void close() {
    closed = true;
    if (nodeConnectionsCheck != null) nodeConnectionsCheck.cancel(false);
    nodeConnections.ifPresent(ClusterNodeConnections::close);
    StatefulRedisClusterConnection<ByteString, ByteString> current = connection;
    if (current != null) current.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
