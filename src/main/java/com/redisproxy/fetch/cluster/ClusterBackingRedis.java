package com.redisproxy.fetch.cluster;

import com.redisproxy.fetch.BackingStore;
import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.Failures;
import com.redisproxy.fetch.FetchSettings;
import com.redisproxy.fetch.InvalidationListener;
import com.redisproxy.fetch.location.RedisTarget;
import com.redisproxy.fetch.RedisValue;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;
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

  public ClusterBackingRedis(
      RedisTarget.Cluster target, FetchSettings settings, InvalidationListener invalidations) {
    this.target = target;
    this.settings = settings;
    this.readFrom = settings.readFrom();
    this.invalidations = invalidations;
    this.resources = ClientResources.builder().reconnectDelay(ClusterClientChoices.reconnectDelay()).build();
    this.client = RedisClusterClient.create(resources, target.seeds());
    this.client.setOptions(ClusterClientChoices.options(settings.fetchTimeout(), settings.connectTimeout()).build());
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
    RedirectNoted.Value<ByteString, ByteString> valueOutput = new RedirectNoted.Value<>(ByteStringCodec.INSTANCE);
    CompletionStage<ByteString> value = commands.dispatch(CommandType.GET, valueOutput, keyArgs(key));
    if (!settings.readTtl()) {
      return value.thenApply(bytes -> new RedisValue(bytes, RedisValue.NO_EXPIRY,
          !valueOutput.redirected() && stamp.stillHeld()));
    }
    // Both go to the key's slot, pipelined: one round trip. PTTL -2: deleted in between. Reading from
    // replicas, Lettuce may send the two to different replicas of the slot (docs/cluster.md).
    RedirectNoted.Integer<ByteString, ByteString> ttlOutput = new RedirectNoted.Integer<>(ByteStringCodec.INSTANCE);
    return value.thenCombine(commands.dispatch(CommandType.PTTL, ttlOutput, keyArgs(key)), (bytes, ttl) ->
        new RedisValue(ttl == -2 ? null : bytes, ttl < 0 ? RedisValue.NO_EXPIRY : Math.max(ttl, 0),
            !valueOutput.redirected() && !ttlOutput.redirected() && stamp.stillHeld()));
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
