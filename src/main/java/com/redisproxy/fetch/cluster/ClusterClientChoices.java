package com.redisproxy.fetch.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the proxy's two Redis Cluster clients (the fetch path's and the RESP port's) set beyond
 * Lettuce's defaults, each for a failure seen in the field (docs/cluster.md).
 */
public final class ClusterClientChoices {
  /** Between attempts at a first connection, while no seed answers. */
  public static final Duration RETRY_DELAY = Duration.ofMillis(500);
  /** A safety net beside the connection and topology events that open the node connections. */
  public static final Duration NODE_CONNECTIONS_CHECK = Duration.ofSeconds(2);
  // Lettuce 7 refreshes on MOVED, ASK and reconnects by default; the period catches what no command sees.
  private static final Duration PERIODIC_REFRESH = Duration.ofSeconds(5);
  // Lettuce refreshes at most once per this, however many MOVED or reconnects trigger it.
  private static final Duration ADAPTIVE_REFRESH_AT_MOST_EVERY = Duration.ofSeconds(1);
  // Lettuce's default backs reconnects off to 30 s: a master back from a restart, or a replica
  // promoted meanwhile, would then stay "not connected" that long after it answers again.
  private static final Duration RECONNECT_AT_MOST_EVERY = Duration.ofSeconds(1);

  private ClusterClientChoices() {}

  /** For {@code ClientResources.builder().reconnectDelay(...)}. */
  public static Supplier<Delay> reconnectDelay() {
    return () -> Delay.exponential(Duration.ofMillis(10), RECONNECT_AT_MOST_EVERY, 2, TimeUnit.MILLISECONDS);
  }

  /**
   * The seeds with {@code timeout} as their command timeout: a topology refresh waits that long for
   * each node's CLUSTER NODES (Lettuce takes it from the first seed, 60 s by default), so a silent
   * node holds back neither a refresh nor the command that waits for one for longer. Zero: as given.
   */
  public static List<RedisURI> seedsAnsweringWithin(List<RedisURI> seeds, Duration timeout) {
    if (timeout.isZero()) return seeds;
    return seeds.stream().map(seed -> RedisURI.builder(seed).withTimeout(timeout).build()).toList();
  }

  /**
   * Fail fast while a node is unreachable, time commands out, refresh the topology, and leave
   * failed nodes out of the routing.
   *
   * @param commandTimeout zero for no limit
   */
  public static ClusterClientOptions.Builder options(Duration commandTimeout, Duration connectTimeout) {
    return ClusterClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(10_000)
        .timeoutOptions(commandTimeout.isZero()
            ? TimeoutOptions.builder().timeoutCommands(false).build()
            : TimeoutOptions.enabled(commandTimeout))
        .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_AT_MOST_EVERY)
            .enablePeriodicRefresh(PERIODIC_REFRESH)
            .build())
        // no command is sent to a node known to be down
        .nodeFilter(node -> !(node.is(NodeFlag.FAIL) || node.is(NodeFlag.EVENTUAL_FAIL) || node.is(NodeFlag.NOADDR)));
  }
}
