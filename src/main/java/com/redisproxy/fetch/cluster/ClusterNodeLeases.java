package com.redisproxy.fetch.cluster;

import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.Failures;
import com.redisproxy.fetch.FetchSettings;
import com.redisproxy.fetch.InvalidationListener;
import com.redisproxy.fetch.LeaseHeartbeat;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every node connection a cluster read goes through is watched by a {@link LeaseHeartbeat}: one
 * that answers no PING for the silence limit (the fetch timeout, or the lease if longer) is
 * disconnected, and Lettuce connects it again. So a silent node connection (a partition, a
 * middlebox that lost it) is replaced, with tracking or without, as the single Redis's are.
 *
 * <p>With tracking, CLIENT TRACKING is sent on each node connection ({@link ClusterNodeConnections}
 * hands them over), on every (re)connection, and retried until Redis accepts it: Lettuce's own
 * keyless CLIENT TRACKING would reach one node only. Default mode, not BCAST: the node a value was
 * read from is the node that invalidates it, on the same connection and after the reply, so a
 * replica's lag cannot let an old value in. Each connection holds its own lease: the cache serves
 * a key only while every tracking node connection's lease is held; a lapsed or lost one drops its
 * slots' keys and no longer holds the other nodes' keys back.
 *
 * <p>A read's value is cached only if every node it may be read from had tracking confirmed and
 * its lease held when the read was sent, and still has, in the same generation, when it is
 * answered ({@link NodeTracking}, {@link #stampFor}). {@link #everyReadNodeHeld} is what /ready
 * asks: false while any node a read may go to has no held lease.
 */
public final class ClusterNodeLeases {
  private static final Logger log = LoggerFactory.getLogger(ClusterNodeLeases.class);
  private static final Duration TRACKING_RETRY = Duration.ofMillis(500);

  /** The nodes a read may have gone to, with the generation each held when it was sent. */
  record Stamp(boolean heldWhenSent, List<NodeTracking> nodes, long[] generations) {
    /** For a read that must not be cached. */
    static final Stamp NOT_HELD = new Stamp(false, List.of(), new long[0]);
    /** For a read without tracking: nothing to hold. */
    static final Stamp UNTRACKED = new Stamp(true, List.of(), new long[0]);

    /** True when every node still holds the generation it had when the read was sent. */
    boolean stillHeld() {
      if (!heldWhenSent) return false;
      for (int i = 0; i < generations.length; i++) {
        if (!nodes.get(i).stillHeld(generations[i])) return false;
      }
      return true;
    }
  }

  private final StatefulRedisClusterConnection<ByteString, ByteString> cluster;
  private final InvalidationListener invalidations;
  private final boolean tracking;
  private final ReadFrom readFrom;
  private final Duration lease;
  private final Duration silenceLimit;
  private final ScheduledExecutorService timer;
  private final Map<StatefulRedisConnection<ByteString, ByteString>, Watched> watched = new ConcurrentHashMap<>();
  // The connection a read to each node goes through now (Lettuce keeps one per node and intent).
  private final Map<ClusterNodeConnections.Node, Watched> byNode = new ConcurrentHashMap<>();

  ClusterNodeLeases(StatefulRedisClusterConnection<ByteString, ByteString> cluster, InvalidationListener invalidations,
      FetchSettings settings, ScheduledExecutorService timer) {
    this.cluster = cluster;
    this.invalidations = invalidations;
    this.tracking = settings.tracking();
    this.readFrom = settings.readFrom();
    this.lease = settings.invalidationLease();
    this.silenceLimit = settings.silenceLimit();
    this.timer = timer;
    if (tracking) cluster.addListener((node, message) -> onPush(message));
  }

  /** Watches {@code connection} now and after each of its reconnects; once per connection. */
  void watch(StatefulRedisConnection<ByteString, ByteString> connection, ClusterNodeConnections.Node node) {
    Watched fresh = new Watched(connection, node);
    if (watched.putIfAbsent(connection, fresh) != null) return;
    byNode.put(node, fresh);
    connection.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        fresh.lose("connection to " + node + " lost");
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        fresh.start();
      }
    });
    fresh.start();
  }

  /** Drops the keys of the slots whose master changed. */
  void topologyChanged(Collection<RedisClusterNode> before, Collection<RedisClusterNode> after) {
    if (!tracking) return;
    BitSet moved = ClusterSlots.movedBetween(before, after);
    if (moved.isEmpty()) return;
    log.info("Cluster topology changed: {} slots have another master, their cached keys are dropped", moved.cardinality());
    invalidations.invalidatedWhere(ClusterSlots.keysIn(moved), "slots moved to another master");
  }

  /**
   * The stamp of a read of {@code slot} sent now: {@link Stamp#NOT_HELD} when a node it may be read
   * from has tracking off or its lease lapsed, or is not watched yet; {@link Stamp#UNTRACKED}
   * without tracking.
   */
  Stamp stampFor(int slot) {
    if (!tracking) return Stamp.UNTRACKED;
    List<ClusterNodeConnections.Node> readFrom = readNodes(cluster.getPartitions(), slot);
    if (readFrom.isEmpty()) return Stamp.NOT_HELD;
    List<NodeTracking> nodes = new ArrayList<>(readFrom.size());
    long[] generations = new long[readFrom.size()];
    for (int i = 0; i < generations.length; i++) {
      Watched node = byNode.get(readFrom.get(i));
      if (node == null) return Stamp.NOT_HELD;
      generations[i] = node.tracking.heldGeneration();
      if (generations[i] == NodeTracking.NOT_HELD) return Stamp.NOT_HELD;
      nodes.add(node.tracking);
    }
    return new Stamp(true, nodes, generations);
  }

  /** With tracking, true when every node a read of any slot may go to holds its lease; without, true. */
  boolean everyReadNodeHeld() {
    if (!tracking) return true;
    Partitions partitions = cluster.getPartitions();
    for (RedisClusterNode master : partitions) {
      if (!master.getRole().isUpstream() || master.getSlots().isEmpty()) continue;
      for (ClusterNodeConnections.Node node : readNodes(partitions, master.getSlots().get(0))) {
        Watched watchedNode = byNode.get(node);
        if (watchedNode == null || !watchedNode.tracking.held()) return false;
      }
    }
    return true;
  }

  // The slot's master, and when reads may go to replicas, every replica of it that is not known to be down.
  private List<ClusterNodeConnections.Node> readNodes(Partitions partitions, int slot) {
    RedisClusterNode master = partitions.getMasterBySlot(slot);
    if (master == null || master.getUri() == null) return List.of();
    List<ClusterNodeConnections.Node> nodes = new ArrayList<>(2);
    nodes.add(ClusterNodeConnections.Node.of(master));
    if (readFrom == ReadFrom.UPSTREAM) return nodes;
    for (RedisClusterNode replica : partitions) {
      if (master.getNodeId().equals(replica.getSlaveOf()) && replica.getUri() != null && !ClusterNodeConnections.down(replica)) {
        nodes.add(ClusterNodeConnections.Node.of(replica));
      }
    }
    return nodes;
  }

  // Every slot: empty, a clear rather than a test of every cached key in the CacheActor.
  private Optional<Predicate<byte[]>> slotsOf(ClusterNodeConnections.Node node) {
    BitSet slots = ClusterSlots.servedBy(cluster.getPartitions(), node.host(), node.port());
    return slots.cardinality() == SlotHash.SLOT_COUNT ? Optional.empty() : Optional.of(ClusterSlots.keysIn(slots));
  }

  private void onPush(PushMessage message) {
    if (!message.getType().equals("invalidate")) return;
    Object keys = message.getContent(ByteStringCodec.INSTANCE::decodeKey).get(1);
    if (keys instanceof List<?> list) invalidations.invalidated(list.stream().map(ByteString.class::cast).toList());
    else invalidations.everythingInvalidated("FLUSHALL or FLUSHDB on a cluster node");
  }

  /**
   * One node connection, its heartbeat and its tracking. The inbox hears of a lease under this
   * object's lock, so a renewal is never told after the loss that ends it; a heartbeat is stopped
   * outside it, since the heartbeat reports a renewal under its own lock.
   */
  private final class Watched {
    private final StatefulRedisConnection<ByteString, ByteString> connection;
    private final ClusterNodeConnections.Node node;
    private final NodeTracking tracking = new NodeTracking();
    private LeaseHeartbeat heartbeat;
    private long episode;
    private boolean refusalLogged;

    Watched(StatefulRedisConnection<ByteString, ByteString> connection, ClusterNodeConnections.Node node) {
      this.connection = connection;
      this.node = node;
    }

    // The connection is up: a heartbeat from now, and tracking turned on before anything read is cached.
    void start() {
      if (!connection.isOpen()) return; // onRedisConnected calls again
      long startedAt = System.nanoTime();
      long thisEpisode;
      LeaseHeartbeat previous;
      synchronized (this) {
        thisEpisode = episode = tracking.connected();
        previous = heartbeat;
        heartbeat = new LeaseHeartbeat(connection, startedAt, lease, silenceLimit, timer, events(thisEpisode));
      }
      if (previous != null) previous.stop();
      if (ClusterNodeLeases.this.tracking) enableTracking(thisEpisode);
    }

    // Retried until Redis accepts it (a user without +client, a Redis busy loading ...) or the episode ends.
    private void enableTracking(long thisEpisode) {
      long sentAt = System.nanoTime();
      connection.async().clientTracking(TrackingArgs.Builder.enabled()).whenComplete((ok, failure) -> {
        if (failure == null) {
          synchronized (this) {
            if (tracking.trackingOn(thisEpisode)) invalidations.leaseRenewed(connection, sentAt);
            refusalLogged = false;
          }
          return;
        }
        synchronized (this) {
          if (thisEpisode != episode) return;
          if (!refusalLogged) {
            log.warn("CLIENT TRACKING failed on cluster node {}, retrying every {} ms; nothing read from it is cached"
                + " meanwhile: {}", node, TRACKING_RETRY.toMillis(), Failures.rootMessage(failure));
          }
          refusalLogged = true;
        }
        timer.schedule(() -> {
          if (connection.isOpen() && thisEpisode == currentEpisode()) enableTracking(thisEpisode);
        }, TRACKING_RETRY.toMillis(), TimeUnit.MILLISECONDS);
      });
    }

    private synchronized long currentEpisode() {
      return episode;
    }

    private LeaseHeartbeat.Events events(long thisEpisode) {
      return new LeaseHeartbeat.Events() {
        @Override
        public void renewed(long pingSentAt) {
          synchronized (Watched.this) {
            if (tracking.renewed(thisEpisode)) invalidations.leaseRenewed(connection, pingSentAt);
          }
        }

        // Dropped at once, so that it holds the other nodes' keys back no longer; a renewal takes it back.
        @Override
        public void lapsed() {
          synchronized (Watched.this) {
            if (tracking.lapsed(thisEpisode)) {
              invalidations.leaseLost(connection, slotsOf(node), "no answer from " + node + " within the lease");
            }
          }
        }

        @Override
        public void silent() {
          log.warn("Cluster node {} answered no PING within {} ms: its connection is replaced", node, silenceLimit.toMillis());
          lose("no answer from " + node);
          SilentNodeConnections.disconnect(connection);
        }
      };
    }

    void lose(String why) {
      LeaseHeartbeat stopped;
      synchronized (this) {
        stopped = heartbeat;
        heartbeat = null;
      }
      if (stopped != null) stopped.stop(); // no renewal is reported after this
      synchronized (this) {
        tracking.lost();
        episode = -1;
        if (ClusterNodeLeases.this.tracking) invalidations.leaseLost(connection, slotsOf(node), why);
      }
    }
  }
}
