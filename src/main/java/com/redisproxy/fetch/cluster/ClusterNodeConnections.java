package com.redisproxy.fetch.cluster;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import io.lettuce.core.event.EventBus;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.protocol.ConnectionIntent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.util.ByteString;
import reactor.core.Disposable;

/**
 * Keeps open every node connection a cluster read can go through, before a read needs it: the
 * masters' (WRITE intent, which MOVED and ASK redirects use too) and, when reads may go to
 * replicas, the replicas' (READ intent). Lettuce opens them lazily, and with REJECT_COMMANDS it
 * fails every command that finds its node's connection still being opened; so they are opened at
 * start, after every topology change, and every few seconds should an event have been missed.
 * Each newly opened connection is handed to {@link ClusterNodeLeases}, which watches it.
 */
public final class ClusterNodeConnections implements AutoCloseable {

  /**
   * A node as the slot routing addresses it, and the connection a read to it takes: Lettuce reads
   * from a master on its WRITE-intent connection, from a replica on its READ-intent one.
   */
  record Node(String host, int port, boolean upstream) {
    static Node of(RedisClusterNode node) {
      return new Node(node.getUri().getHost(), node.getUri().getPort(), node.getRole().isUpstream());
    }
  }

  private final StatefulRedisClusterConnection<ByteString, ByteString> cluster;
  private final ReadFrom readFrom;
  private final ClusterNodeLeases leases;
  private final Disposable events;

  ClusterNodeConnections(StatefulRedisClusterConnection<ByteString, ByteString> cluster, ReadFrom readFrom,
      ClusterNodeLeases leases, EventBus eventBus) {
    this.cluster = cluster;
    this.readFrom = readFrom;
    this.leases = leases;
    this.events = eventBus.get().subscribe(event -> {
      if (event instanceof ClusterTopologyChangedEvent changed) {
        leases.topologyChanged(changed.before(), changed.after());
        openAll();
      } else if (event instanceof ConnectionActivatedEvent) {
        openAll();
      }
    }, failure -> {});
  }

  /** Opens what is not open yet; completes when every attempt has ended, opened or not. */
  CompletableFuture<Void> openAll() {
    List<CompletableFuture<?>> attempts = new ArrayList<>();
    for (RedisClusterNode node : cluster.getPartitions()) {
      if (node.getUri() == null || down(node)) continue;
      Node address = Node.of(node);
      if (!address.upstream() && readFrom == ReadFrom.UPSTREAM) continue; // no read goes to a replica
      attempts.add(cluster.getConnectionAsync(address.host(), address.port(),
              address.upstream() ? ConnectionIntent.WRITE : ConnectionIntent.READ)
          .handle((connection, failure) -> {
            if (failure == null) opened(connection, address);
            return null;
          }));
    }
    return CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new));
  }

  /**
   * True when the connection of every node a read may go to is open: until then a read for its
   * slots would be rejected as "not connected". Asks Lettuce for each (opening what is missing).
   */
  boolean everyReadNodeOpen() {
    for (RedisClusterNode node : cluster.getPartitions()) {
      if (node.getUri() == null || down(node)) continue;
      Node address = Node.of(node);
      if (!address.upstream() && readFrom == ReadFrom.UPSTREAM) continue;
      CompletableFuture<StatefulRedisConnection<ByteString, ByteString>> connection = cluster.getConnectionAsync(
          address.host(), address.port(), address.upstream() ? ConnectionIntent.WRITE : ConnectionIntent.READ);
      if (!connection.isDone() || connection.isCompletedExceptionally() || !connection.join().isOpen()) return false;
    }
    return true;
  }

  /** Known to be down or not reachable yet: no read goes to it. */
  static boolean down(RedisClusterNode node) {
    return node.is(NodeFlag.FAIL) || node.is(NodeFlag.EVENTUAL_FAIL) || node.is(NodeFlag.NOADDR) || node.is(NodeFlag.HANDSHAKE);
  }

  private void opened(StatefulRedisConnection<ByteString, ByteString> connection, Node node) {
    leases.watch(connection, node);
  }

  @Override
  public void close() {
    events.dispose();
  }
}
