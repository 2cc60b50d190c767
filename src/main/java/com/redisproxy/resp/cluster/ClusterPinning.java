package com.redisproxy.resp.cluster;

import com.redisproxy.fetch.cluster.ClusterRedis;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.command.Refusals;
import com.redisproxy.resp.forward.BackendAddress;
import com.redisproxy.resp.forward.BackendLocator;
import com.redisproxy.resp.forward.Forwarding;
import com.redisproxy.resp.forward.pinned.PinnedSession;
import com.redisproxy.resp.forward.pinned.Pinning;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;

/**
 * Pinning in front of a Redis Cluster: a transaction, a WATCH, a blocking command or a
 * subscription gets a {@link ClusterSession}, which opens a connection of its own to the master of
 * its keys' slot, as cluster clients do. Shared by every event loop.
 */
public final class ClusterPinning implements Pinning {
  /** Where a session goes: a node, and the slot its keys are in (-1 when it named none). */
  record Target(Optional<ClusterRedis.Node> node, int slot) {}

  private final ClusterRedis cluster;
  private final Forwarding forwarding;
  // Once a session's node redirected it, the next sessions wait for the slot map read again.
  private volatile CompletableFuture<Void> slotMapRead = CompletableFuture.completedFuture(null);

  public ClusterPinning(ClusterRedis cluster, Forwarding forwarding) {
    this.cluster = cluster;
    this.forwarding = forwarding;
  }

  @Override
  public Result open(RespRequest first, PinnedSession.Connection connection) {
    if (forwarding.table().isShardedPubSubUnknown(first)) return new Refused(Refusals.needsRedis7(first));
    if (forwarding.backend().current().isEmpty()) return new Refused(BackendLocator.unavailable(forwarding.backend()));
    if (!forwarding.takePinned()) return new Refused(Refusals.tooManyPinned(first, forwarding.maxPinned()));
    return new Opened(new ClusterSession(this, forwarding, connection));
  }

  /**
   * The master of the slot of {@code request}'s first key, as Redis's table or (when its keys
   * move with its arguments) Redis's COMMAND GETKEYS names it; any master when it has none.
   */
  CompletionStage<Target> targetOf(RespRequest request) {
    return slotMapRead.thenCompose(read -> forwarding.table().keys(request)
        .<CompletionStage<List<ByteString>>>map(CompletableFuture::completedFuture)
        // Keys Redis cannot name (a syntax error): the node answers the command's own error.
        .orElseGet(() -> cluster.keysOf(request.args()).exceptionally(failure -> List.of())))
        .thenApply(this::targetOfKeys);
  }

  private Target targetOfKeys(List<ByteString> keys) {
    if (keys.isEmpty()) return new Target(cluster.anyMaster(), -1);
    int slot = cluster.slot(keys.get(0));
    return new Target(cluster.masterOf(slot), slot);
  }

  int slotOf(ByteString key) {
    return cluster.slot(key);
  }

  Optional<ClusterRedis.Node> masterOf(int slot) {
    return cluster.masterOf(slot);
  }

  /** The address of {@code node}, with the credentials and TLS of the proxy's connections to the cluster. */
  Optional<BackendAddress> address(ClusterRedis.Node node) {
    return forwarding.backend().current().map(seed ->
        new BackendAddress(node.host(), node.port(), seed.user(), seed.password(), 0, seed.tls()));
  }

  /**
   * A session's node answered MOVED or ASK: the slot map is read again before the next session
   * picks its node (for as long as opening a connection may take, at most: no session waits on a
   * read that does not end).
   */
  void redirected() {
    if (!slotMapRead.isDone()) return;
    slotMapRead = cluster.readSlotsAgain().toCompletableFuture()
        .completeOnTimeout(null, forwarding.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }
}
