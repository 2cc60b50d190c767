package com.redisproxy.fetch.cluster;

import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.FetchSettings;
import com.redisproxy.fetch.InvalidationListener;
import com.redisproxy.fetch.LeaseHeartbeat;
import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.DefaultEndpoint;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client tracking on every node connection a cluster read goes through. Tracking is per
 * connection, so CLIENT TRACKING is sent on each ({@link ClusterNodeConnections} hands them
 * over): Lettuce's own keyless CLIENT TRACKING would reach one node only, and the others'
 * invalidations would never come.
 *
 * <p>Default mode, not BCAST: the node a value was read from is the node that invalidates it,
 * on the same connection and after the reply, so a replica's lag cannot let an old value in.
 *
 * <p>Whenever invalidations may have been missed, the keys of the slots concerned are dropped:
 * a connection lost or back, a connection that served reads before its tracking was on (a new
 * node, a redirect), slots that moved to another master. The rest of the cache stays.
 *
 * <p>Each node connection holds its own lease ({@link LeaseHeartbeat}): the cache serves a key
 * only while every tracking node connection's lease is held. A node connection that goes silent
 * for a lease, or closes, gives its lease up: its slots' keys are dropped and it no longer holds
 * the other nodes' keys back. Silent for the fetch timeout too, it is disconnected, so that
 * Lettuce connects it again, with tracking and a lease of its own once more.
 */
public final class ClusterTracking {
  private static final Logger log = LoggerFactory.getLogger(ClusterTracking.class);

  private final StatefulRedisClusterConnection<ByteString, ByteString> cluster;
  private final InvalidationListener invalidations;
  private final Map<StatefulRedisConnection<ByteString, ByteString>, ClusterNodeConnections.Node> tracked =
      new ConcurrentHashMap<>();
  private final Map<StatefulRedisConnection<ByteString, ByteString>, LeaseHeartbeat> heartbeats = new ConcurrentHashMap<>();
  private final Duration lease;
  private final Duration silenceLimit;
  private final ScheduledExecutorService timer;

  ClusterTracking(StatefulRedisClusterConnection<ByteString, ByteString> cluster, InvalidationListener invalidations,
      FetchSettings settings, ScheduledExecutorService timer) {
    this.cluster = cluster;
    this.invalidations = invalidations;
    this.lease = settings.invalidationLease();
    this.silenceLimit = settings.silenceLimit();
    this.timer = timer;
    cluster.addListener((node, message) -> onPush(message));
  }

  /** Turns tracking on for {@code connection} now and after each of its reconnects; once per connection. */
  void track(StatefulRedisConnection<ByteString, ByteString> connection, ClusterNodeConnections.Node node) {
    if (tracked.putIfAbsent(connection, node) != null) return;
    connection.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        leaseLost(connection, node, "connection to " + node + " lost");
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        enableTracking(connection, node, "reconnected to " + node);
      }
    });
    enableTracking(connection, node, "tracking on for " + node);
  }

  /** Drops the keys of the slots whose master changed. */
  void topologyChanged(Collection<RedisClusterNode> before, Collection<RedisClusterNode> after) {
    BitSet moved = ClusterSlots.movedBetween(before, after);
    if (moved.isEmpty()) return;
    log.info("Cluster topology changed: {} slots have another master, their cached keys are dropped", moved.cardinality());
    invalidations.invalidatedWhere(ClusterSlots.keysIn(moved), "slots moved to another master");
  }

  // Reads sent before CLIENT TRACKING was answered were not tracked: their keys go afterwards.
  private void enableTracking(StatefulRedisConnection<ByteString, ByteString> connection,
      ClusterNodeConnections.Node node, String why) {
    if (!connection.isOpen()) return; // onRedisConnected calls again
    long sentAt = System.nanoTime();
    connection.async().clientTracking(TrackingArgs.Builder.enabled()).whenComplete((ok, failure) -> {
      if (failure != null) log.warn("CLIENT TRACKING failed on cluster node {}: {}", node, failure.getMessage());
      else holdLease(connection, node, sentAt);
      lost(node, why);
    });
  }

  // A lapsed lease drops the node's keys at once, so that it holds the other nodes' keys back no
  // longer; a renewal takes it back. Silent for the silence limit, the connection is replaced.
  private void holdLease(StatefulRedisConnection<ByteString, ByteString> connection, ClusterNodeConnections.Node node,
      long trackingSentAt) {
    invalidations.leaseRenewed(connection, trackingSentAt);
    LeaseHeartbeat heartbeat = new LeaseHeartbeat(connection, trackingSentAt, lease, silenceLimit, timer,
        new LeaseHeartbeat.Events() {
          @Override
          public void renewed(long pingSentAt) {
            invalidations.leaseRenewed(connection, pingSentAt);
          }

          @Override
          public void lapsed() {
            invalidations.leaseLost(connection, slotsOf(node), "no answer from " + node + " within the lease");
          }

          @Override
          public void silent() {
            log.warn("Cluster node {} answered no PING within {} ms: its connection is replaced", node,
                silenceLimit.toMillis());
            leaseLost(connection, node, "no answer from " + node);
            disconnect(connection);
          }
        });
    LeaseHeartbeat previous = heartbeats.put(connection, heartbeat);
    if (previous != null) previous.stop();
  }

  private void leaseLost(StatefulRedisConnection<ByteString, ByteString> connection, ClusterNodeConnections.Node node,
      String why) {
    LeaseHeartbeat heartbeat = heartbeats.remove(connection);
    if (heartbeat != null) heartbeat.stop();
    invalidations.leaseLost(connection, slotsOf(node), why);
  }

  private void lost(ClusterNodeConnections.Node node, String why) {
    log.debug("Dropping the cached keys of {}'s slots: {}", node, why);
    slotsOf(node).ifPresentOrElse(keys -> invalidations.invalidatedWhere(keys, why),
        () -> invalidations.everythingInvalidated(why));
  }

  // Every slot: empty, a clear rather than a test of every cached key in the CacheActor.
  private Optional<Predicate<byte[]>> slotsOf(ClusterNodeConnections.Node node) {
    BitSet slots = ClusterSlots.servedBy(cluster.getPartitions(), node.host(), node.port());
    return slots.cardinality() == SlotHash.SLOT_COUNT ? Optional.empty() : Optional.of(ClusterSlots.keysIn(slots));
  }

  // Closes the node connection's socket; Lettuce connects it again (onRedisConnected).
  private static void disconnect(StatefulRedisConnection<?, ?> connection) {
    RedisChannelWriter writer = ((RedisChannelHandler<?, ?>) connection).getChannelWriter();
    while (!(writer instanceof DefaultEndpoint) && writer instanceof Delegating<?> delegating
        && delegating.getDelegate() instanceof RedisChannelWriter inner) {
      writer = inner;
    }
    if (writer instanceof DefaultEndpoint endpoint) endpoint.disconnect();
    else log.warn("Cannot disconnect a silent cluster node connection ({}); it stays without a lease", writer);
  }

  private void onPush(PushMessage message) {
    if (!message.getType().equals("invalidate")) return;
    Object keys = message.getContent(ByteStringCodec.INSTANCE::decodeKey).get(1);
    if (keys instanceof List<?> list) invalidations.invalidated(list.stream().map(ByteString.class::cast).toList());
    else invalidations.everythingInvalidated("FLUSHALL or FLUSHDB on a cluster node");
  }
}
