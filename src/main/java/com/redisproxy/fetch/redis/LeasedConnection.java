package com.redisproxy.fetch.redis;

import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.FetchSettings;
import com.redisproxy.fetch.InvalidationListener;
import com.redisproxy.fetch.LeaseHeartbeat;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to one Redis, watched by a {@link LeaseHeartbeat}, and with tracking on, the
 * channel of its invalidations. It is used until it is lost, never reconnected: a connection that
 * closes, or goes silent for the fetch timeout (its lease lapsed before that), is closed and
 * reported lost once, and the owner opens another. So a connection serves reads only once its tracking is on, and a silent one that still
 * looks open (a partition, a stalled middlebox) is replaced as surely as a closed one.
 */
final class LeasedConnection {
  private static final Logger log = LoggerFactory.getLogger(LeasedConnection.class);

  private final StatefulRedisConnection<ByteString, ByteString> connection;
  private final InvalidationListener invalidations;
  private final boolean tracking;
  private final Consumer<LeasedConnection> onLost;
  private LeaseHeartbeat heartbeat;
  private boolean lost;

  private LeasedConnection(StatefulRedisConnection<ByteString, ByteString> connection,
      InvalidationListener invalidations, boolean tracking, Consumer<LeasedConnection> onLost) {
    this.connection = connection;
    this.invalidations = invalidations;
    this.tracking = tracking;
    this.onLost = onLost;
  }

  /**
   * Turns tracking on if asked, then starts the heartbeat. Should tracking fail (Redis older than
   * 6, a user without +client), the connection is closed and the stage fails.
   *
   * @param onLost told once when the connection is lost or closed, on whatever thread noticed
   */
  static CompletionStage<LeasedConnection> open(StatefulRedisConnection<ByteString, ByteString> connection,
      FetchSettings settings, InvalidationListener invalidations, ScheduledExecutorService timer,
      Consumer<LeasedConnection> onLost) {
    LeasedConnection leased = new LeasedConnection(connection, invalidations, settings.tracking(), onLost);
    connection.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        leased.lose("connection lost", true);
      }
    });
    long provenAt = System.nanoTime();
    CompletionStage<?> ready = CompletableFuture.completedFuture(null);
    if (settings.tracking()) {
      connection.addListener(leased::onPush);
      ready = connection.async().clientTracking(TrackingArgs.Builder.enabled());
    }
    return ready.handle((ok, failure) -> {
      if (failure != null) {
        leased.lose("CLIENT TRACKING failed", false);
        throw new CompletionException(failure);
      }
      leased.startHeartbeat(provenAt, settings, timer);
      return leased;
    });
  }

  StatefulRedisConnection<ByteString, ByteString> connection() {
    return connection;
  }

  synchronized boolean isLost() {
    return lost;
  }

  /** Closes it for good (the proxy is stopping or Redis moved); its invalidations end with it. */
  void close() {
    lose("closed", false);
  }

  private synchronized void startHeartbeat(long provenAt, FetchSettings settings, ScheduledExecutorService timer) {
    if (lost) return;
    if (tracking) invalidations.leaseRenewed(this, provenAt);
    // A lapsed lease already keeps the cache from serving (the CacheActor checks it on every hit):
    // the connection itself is given up once silent for the fetch timeout too, when its misses have
    // failed anyway, so that a Redis paused for a second does not cost every read in flight.
    heartbeat = new LeaseHeartbeat(connection, provenAt, settings.invalidationLease(), settings.silenceLimit(), timer,
        new LeaseHeartbeat.Events() {
          @Override
          public void renewed(long pingSentAt) {
            if (tracking) invalidations.leaseRenewed(LeasedConnection.this, pingSentAt);
          }

          @Override
          public void silent() {
            lose("no answer to a PING within " + settings.silenceLimit().toMillis() + "ms", true);
          }
        });
    if (!connection.isOpen()) lose("connection lost", true);
  }

  private void lose(String reason, boolean logged) {
    boolean wasChannel;
    synchronized (this) {
      if (lost) return;
      lost = true;
      wasChannel = heartbeat != null && tracking;
      if (heartbeat != null) heartbeat.stop();
    }
    if (wasChannel) invalidations.leaseLost(this, Optional.empty(), reason);
    if (logged) log.warn("A connection to the backing Redis is given up ({}); opening another", reason);
    connection.closeAsync();
    onLost.accept(this);
  }

  private void onPush(PushMessage message) {
    if (!message.getType().equals("invalidate")) return;
    Object keys = message.getContent(ByteStringCodec.INSTANCE::decodeKey).get(1);
    if (keys instanceof List<?> list) {
      invalidations.invalidated(list.stream().map(ByteString.class::cast).toList());
    } else {
      invalidations.everythingInvalidated("FLUSHALL or FLUSHDB in Redis");
    }
  }
}
