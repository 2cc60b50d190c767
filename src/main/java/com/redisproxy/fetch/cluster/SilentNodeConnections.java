package com.redisproxy.fetch.cluster;

import com.redisproxy.fetch.LeaseHeartbeat;
import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.DefaultEndpoint;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces cluster node connections that go silent (a partition, a middlebox that lost them): each
 * sends a PING a quarter of the silence limit, and one that answers none for the limit is
 * disconnected, so that Lettuce connects it again. Without it a node connection whose peer is gone
 * without a FIN stays open for good, and every command to the node fails at its timeout.
 */
final class SilentNodeConnections {
  private static final Logger log = LoggerFactory.getLogger(SilentNodeConnections.class);

  private final Duration silenceLimit;
  private final ScheduledExecutorService timer;
  private final Map<StatefulRedisConnection<?, ?>, LeaseHeartbeat[]> watched = new ConcurrentHashMap<>();

  SilentNodeConnections(Duration silenceLimit, ScheduledExecutorService timer) {
    this.silenceLimit = silenceLimit;
    this.timer = timer;
  }

  /** Watches {@code connection} now and after each of its reconnects; once per connection. */
  void watch(StatefulRedisConnection<?, ?> connection, String node) {
    LeaseHeartbeat[] beating = new LeaseHeartbeat[1];
    if (watched.putIfAbsent(connection, beating) != null) return;
    connection.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        start(connection, node, beating);
      }

      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        stop(beating);
      }
    });
    start(connection, node, beating);
  }

  private void start(StatefulRedisConnection<?, ?> connection, String node, LeaseHeartbeat[] beating) {
    if (!connection.isOpen()) return; // onRedisConnected calls again
    LeaseHeartbeat heartbeat = new LeaseHeartbeat(connection, System.nanoTime(), silenceLimit, silenceLimit, timer,
        new LeaseHeartbeat.Events() {
          @Override
          public void renewed(long pingSentAt) {}

          @Override
          public void silent() {
            log.warn("Cluster node {} answered no PING within {} ms: its connection is replaced", node, silenceLimit.toMillis());
            disconnect(connection);
          }
        });
    LeaseHeartbeat previous;
    synchronized (beating) {
      previous = beating[0];
      beating[0] = heartbeat;
    }
    if (previous != null) previous.stop();
  }

  private static void stop(LeaseHeartbeat[] beating) {
    LeaseHeartbeat previous;
    synchronized (beating) {
      previous = beating[0];
      beating[0] = null;
    }
    if (previous != null) previous.stop();
  }

  /** Closes a node connection's socket; Lettuce connects it again (its reconnect is on). */
  static void disconnect(StatefulRedisConnection<?, ?> connection) {
    RedisChannelWriter writer = ((RedisChannelHandler<?, ?>) connection).getChannelWriter();
    while (!(writer instanceof DefaultEndpoint) && writer instanceof Delegating<?> delegating
        && delegating.getDelegate() instanceof RedisChannelWriter inner) {
      writer = inner;
    }
    if (writer instanceof DefaultEndpoint endpoint) endpoint.disconnect();
    else log.warn("Cannot disconnect a silent cluster node connection ({})", writer);
  }
}
