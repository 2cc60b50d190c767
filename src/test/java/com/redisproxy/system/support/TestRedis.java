package com.redisproxy.system.support;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import redis.embedded.RedisServer;

/** A real redis-server (embedded-redis) on a free loopback port, that a test can stop and restart. */
public final class TestRedis implements AutoCloseable {
  private final int port;
  private final List<String> settings;
  // Empty: embedded-redis's own redis-server (6.2).
  private final java.util.Optional<java.nio.file.Path> executable;
  private RedisServer server;
  private RedisClient client;
  private StatefulRedisConnection<byte[], byte[]> connection;

  public TestRedis(String... settings) {
    this(FreePort.find(), settings);
  }

  /** On a port of the caller's choosing (a cluster node also needs port + 10000 free for its bus). */
  public TestRedis(int port, String... settings) {
    this(port, java.util.Optional.empty(), settings);
  }

  /** With the redis-server at {@code executable}, if given. */
  public TestRedis(int port, java.util.Optional<java.nio.file.Path> executable, String... settings) {
    this.port = port;
    this.executable = executable;
    this.settings = List.of(settings);
  }

  public static TestRedis started(String... settings) {
    TestRedis redis = new TestRedis(settings);
    redis.start();
    return redis;
  }

  /** Another redis-server than embedded-redis's 6.2, e.g. Debian's 7.0 at /usr/bin/redis-server. */
  public static TestRedis startedWith(java.io.File binary, String... settings) {
    TestRedis redis = new TestRedis(FreePort.find(), java.util.Optional.of(binary.toPath()), settings);
    redis.start();
    return redis;
  }

  public int port() {
    return port;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  public void start() {
    try {
      var builder = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
          .setting("save \"\"").setting("appendonly no");
      for (String setting : settings) builder.setting(setting);
      executable.ifPresent(path -> builder.executableProvider(path::toFile));
      server = builder.build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Eventually.await(Duration.ofSeconds(10), "redis-server accepts connections on " + port, this::accepting);
  }

  public boolean isRunning() {
    return server != null && server.isActive();
  }

  public void stop() {
    closeClient();
    try {
      if (server != null) server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Eventually.await(Duration.ofSeconds(10), "redis-server on " + port + " is gone", () -> !accepting());
  }

  /** Synchronous commands on binary keys and values, on a connection of the test's own. */
  public RedisCommands<byte[], byte[]> commands() {
    if (connection == null || !connection.isOpen()) {
      client = RedisClient.create();
      RedisURI uri = RedisURI.create("127.0.0.1", port);
      settings.stream().filter(setting -> setting.startsWith("requirepass "))
          .forEach(setting -> uri.setCredentialsProvider(
              io.lettuce.core.RedisCredentialsProvider.from(() -> io.lettuce.core.RedisCredentials.just(
                  null, setting.substring("requirepass ".length())))));
      connection = client.connect(ByteArrayCodec.INSTANCE, uri);
    }
    return connection.sync();
  }

  public void set(String key, String value) {
    commands().set(bytes(key), bytes(value));
  }

  public static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private boolean accepting() {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void closeClient() {
    if (connection != null) connection.close();
    if (client != null) client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    connection = null;
    client = null;
  }

  @Override
  public void close() {
    stop();
  }
}
