package com.redisproxy.fetch;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.push.PushMessage;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backing Redis: a few shared, pipelined Lettuce connections. Commands fail fast while Redis
 * is unreachable; the first connection is retried until it succeeds (Lettuce reconnects on its
 * own only after a first success), so the proxy may start before Redis.
 *
 * <p>With tracking on, every connection runs CLIENT TRACKING (default mode: Redis remembers the
 * keys each connection read) and its invalidation pushes go to the {@link InvalidationListener}.
 * Invalidations are lost while a connection is down, so its loss empties the cache, and so does
 * its return once tracking is on again (reads made before that were not tracked).
 */
public final class BackingRedis implements BackingStore {

  private static final Logger log = LoggerFactory.getLogger(BackingRedis.class);
  private static final Duration RETRY_DELAY = Duration.ofMillis(500);

  /** How the proxy reads and watches Redis. */
  public record Options(
      Duration fetchTimeout, Duration connectTimeout, int connections, boolean readTtl, boolean tracking) {}

  private final RedisClient client;
  private final RedisURI uri;
  private final Options options;
  private final InvalidationListener invalidations;
  private final AtomicReferenceArray<StatefulRedisConnection<ByteString, ByteString>> connections;
  private final AtomicInteger nextConnection = new AtomicInteger();
  private volatile boolean closed;
  // Why the last connection attempt failed (Redis's own words, e.g. WRONGPASS), for clients' errors.
  private volatile String lastConnectFailure = "connecting";

  public BackingRedis(RedisURI uri, Options options, InvalidationListener invalidations) {
    this.uri = uri;
    this.options = options;
    this.invalidations = invalidations;
    this.client = RedisClient.create();
    this.client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(10_000)
            .timeoutOptions(TimeoutOptions.enabled(options.fetchTimeout()))
            .socketOptions(
                SocketOptions.builder().connectTimeout(options.connectTimeout()).keepAlive(true).build())
            .build());
    this.connections = new AtomicReferenceArray<>(options.connections());
    for (int slot = 0; slot < options.connections(); slot++) connect(slot);
  }

  /**
   * GET {@code key}, and with readTtl its PTTL, pipelined on one connection: one round trip.
   * Completes with the value (null when absent) or with the failure.
   */
  public CompletionStage<RedisValue> get(ByteString key) {
    int slot = Math.floorMod(nextConnection.getAndIncrement(), connections.length());
    StatefulRedisConnection<ByteString, ByteString> connection = connections.get(slot);
    if (connection == null) {
      return CompletableFuture.failedFuture(new RedisConnectionException("not connected: " + lastConnectFailure));
    }
    RedisAsyncCommands<ByteString, ByteString> commands = connection.async();
    CompletionStage<ByteString> value = commands.get(key);
    if (!options.readTtl()) return value.thenApply(bytes -> new RedisValue(bytes, RedisValue.NO_EXPIRY));
    // PTTL is -1 for no expiry and -2 when the key is gone (deleted between the two commands).
    return value.thenCombine(commands.pttl(key), (bytes, ttl) ->
        new RedisValue(ttl == -2 ? null : bytes, ttl < 0 ? RedisValue.NO_EXPIRY : Math.max(ttl, 0)));
  }

  /** Redis's COMMAND reply (name, arity, flags, key positions of every command), as nested lists. */
  public CompletionStage<List<Object>> commandTable() {
    StatefulRedisConnection<ByteString, ByteString> connection = connections.get(0);
    if (connection == null) {
      return CompletableFuture.failedFuture(new RedisConnectionException("not connected: " + lastConnectFailure));
    }
    return connection.async().command();
  }

  /** True when at least one connection is open now. */
  public boolean isConnected() {
    for (int slot = 0; slot < connections.length(); slot++) {
      StatefulRedisConnection<ByteString, ByteString> connection = connections.get(slot);
      if (connection != null && connection.isOpen()) return true;
    }
    return false;
  }

  public String address() {
    return RedisAddress.redacted(uri);
  }

  private void connect(int slot) {
    if (closed) return;
    client
        .connectAsync(ByteStringCodec.INSTANCE, uri)
        .thenCompose(connection -> options.tracking() ? track(connection) : CompletableFuture.completedFuture(connection))
        .whenComplete(
            (connection, failure) -> {
              if (failure == null) {
                connections.set(slot, connection);
                if (closed) connection.closeAsync();
                else log.info("Connected to backing Redis {} (connection {})", address(), slot);
              } else {
                String reason = rootMessage(failure);
                if (slot == 0 && !reason.equals(lastConnectFailure)) {
                  log.warn("Backing Redis {} unreachable, retrying every {} ms: {}", address(), RETRY_DELAY.toMillis(), reason);
                }
                lastConnectFailure = reason;
                client.getResources().eventExecutorGroup()
                    .schedule(() -> connect(slot), RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
              }
            });
  }

  /** Turns tracking on now and after every reconnect, and passes the invalidations on. */
  private CompletionStage<StatefulRedisConnection<ByteString, ByteString>> track(
      StatefulRedisConnection<ByteString, ByteString> connection) {
    connection.addListener(this::onPush);
    connection.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        invalidations.everythingInvalidated("tracking connection lost");
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        connection.async().clientTracking(TrackingArgs.Builder.enabled()).whenComplete((ok, failure) ->
            invalidations.everythingInvalidated(failure == null ? "tracking re-enabled" : "tracking not re-enabled"));
      }
    });
    return connection.async().clientTracking(TrackingArgs.Builder.enabled()).thenApply(ok -> connection);
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

  private static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null) t = t.getCause();
    return t.getMessage();
  }

  @Override
  public void close() {
    closed = true;
    for (int slot = 0; slot < connections.length(); slot++) {
      StatefulRedisConnection<ByteString, ByteString> connection = connections.get(slot);
      if (connection != null) connection.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
