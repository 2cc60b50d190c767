package com.redisproxy.fetch;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
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
 */
public final class BackingRedis implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BackingRedis.class);
  private static final Duration RETRY_DELAY = Duration.ofMillis(500);

  private final RedisClient client;
  private final RedisURI uri;
  private final AtomicReferenceArray<StatefulRedisConnection<ByteString, ByteString>> connections;
  private final AtomicInteger nextConnection = new AtomicInteger();
  private volatile boolean closed;

  public BackingRedis(RedisURI uri, Duration fetchTimeout, Duration connectTimeout, int connectionCount) {
    this.uri = uri;
    this.client = RedisClient.create();
    this.client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(10_000)
            .timeoutOptions(TimeoutOptions.enabled(fetchTimeout))
            .socketOptions(
                SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
            .build());
    this.connections = new AtomicReferenceArray<>(connectionCount);
    for (int slot = 0; slot < connectionCount; slot++) connect(slot);
  }

  /** GET {@code key}: completes with the value, with null when absent, or with the failure. */
  public CompletionStage<ByteString> get(ByteString key) {
    int slot = Math.floorMod(nextConnection.getAndIncrement(), connections.length());
    StatefulRedisConnection<ByteString, ByteString> connection = connections.get(slot);
    if (connection == null) {
      return CompletableFuture.failedFuture(new RedisConnectionException("not connected yet"));
    }
    return connection.async().get(key);
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
        .whenComplete(
            (connection, failure) -> {
              if (failure == null) {
                connections.set(slot, connection);
                if (closed) connection.closeAsync();
                else log.info("Connected to backing Redis {} (connection {})", address(), slot);
              } else {
                if (slot == 0) log.warn("Backing Redis {} unreachable, retrying: {}", address(), rootMessage(failure));
                client.getResources().eventExecutorGroup()
                    .schedule(() -> connect(slot), RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
              }
            });
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
