package com.redisproxy.fetch.cluster;

import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.InvalidationListener;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.net.SocketAddress;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 */
public final class ClusterTracking {
  private static final Logger log = LoggerFactory.getLogger(ClusterTracking.class);

  private final StatefulRedisClusterConnection<ByteString, ByteString> cluster;
  private final InvalidationListener invalidations;
  private final Map<StatefulRedisConnection<ByteString, ByteString>, ClusterNodeConnections.Node> tracked =
      new ConcurrentHashMap<>();

  ClusterTracking(StatefulRedisClusterConnection<ByteString, ByteString> cluster, InvalidationListener invalidations) {
    this.cluster = cluster;
    this.invalidations = invalidations;
    cluster.addListener((node, message) -> onPush(message));
  }

  /** Turns tracking on for {@code connection} now and after each of its reconnects; once per connection. */
  void track(StatefulRedisConnection<ByteString, ByteString> connection, ClusterNodeConnections.Node node) {
    if (tracked.putIfAbsent(connection, node) != null) return;
    connection.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        lost(node, "connection to " + node + " lost");
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
    connection.async().clientTracking(TrackingArgs.Builder.enabled()).whenComplete((ok, failure) -> {
      if (failure != null) log.warn("CLIENT TRACKING failed on cluster node {}: {}", node, failure.getMessage());
      lost(node, why);
    });
  }

  private void lost(ClusterNodeConnections.Node node, String why) {
    BitSet slots = ClusterSlots.servedBy(cluster.getPartitions(), node.host(), node.port());
    log.debug("Dropping the cached keys of {} slots: {}", slots.cardinality(), why);
    // Every slot: a clear, rather than a test of every cached key in the CacheActor.
    if (slots.cardinality() == io.lettuce.core.cluster.SlotHash.SLOT_COUNT) invalidations.everythingInvalidated(why);
    else invalidations.invalidatedWhere(ClusterSlots.keysIn(slots), why);
  }

  private void onPush(PushMessage message) {
    if (!message.getType().equals("invalidate")) return;
    Object keys = message.getContent(ByteStringCodec.INSTANCE::decodeKey).get(1);
    if (keys instanceof List<?> list) invalidations.invalidated(list.stream().map(ByteString.class::cast).toList());
    else invalidations.everythingInvalidated("FLUSHALL or FLUSHDB on a cluster node");
  }
}
