package com.redisproxy.fetch;

import com.redisproxy.fetch.location.RedisLocation;
import com.redisproxy.fetch.location.RedisTarget;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master a set of Sentinels names, asked of every sentinel on a timer. Sentinels learn of a
 * failover one after another, so the answer with the newest configuration epoch wins: a sentinel
 * that has not heard yet cannot send the proxy back to the old master. While no sentinel answers,
 * the last master named stays current (the sentinels being gone does not mean the master moved).
 */
public final class SentinelWatch implements RedisLocation {
  private static final Logger log = LoggerFactory.getLogger(SentinelWatch.class);

  /** A master as one sentinel names it. */
  private record Named(String host, int port, long epoch) {}

  private final RedisURI sentinelUri;
  private final String masterName;
  private final RedisClient client;
  private final List<RedisURI> sentinels;
  private final AtomicReferenceArray<StatefulRedisSentinelConnection<String, String>> connections;
  private final AtomicBoolean asking = new AtomicBoolean();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledFuture<?> ticks;
  private volatile Optional<RedisURI> current = Optional.empty();
  private volatile Named named;
  private volatile String unknownReason = "no sentinel has answered yet";
  private volatile boolean closed;

  /** Starts asking at once, then every {@code period}; a sentinel's answer is awaited {@code timeout}. */
  public SentinelWatch(RedisURI sentinelUri, Duration period, Duration timeout) {
    this.sentinelUri = sentinelUri;
    this.masterName = sentinelUri.getSentinelMasterId();
    this.sentinels = List.copyOf(sentinelUri.getSentinels());
    this.connections = new AtomicReferenceArray<>(sentinels.size());
    this.client = RedisClient.create();
    this.client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
        .build());
    this.ticks = client.getResources().eventExecutorGroup()
        .scheduleWithFixedDelay(this::ask, 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Optional<RedisURI> current() {
    return current;
  }

  @Override
  public String unknownReason() {
    return unknownReason;
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  // One round at a time: a round waits for every sentinel's answer or timeout.
  private void ask() {
    if (closed || !asking.compareAndSet(false, true)) return;
    List<CompletableFuture<Object>> answers = new ArrayList<>();
    for (int i = 0; i < sentinels.size(); i++) answers.add(askOne(i));
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
      try {
        decide(answers.stream().map(CompletableFuture::join).toList());
      } finally {
        asking.set(false);
      }
    });
  }

  // A Named, or a String saying why this sentinel named no master; never fails.
  private CompletableFuture<Object> askOne(int index) {
    return connection(index)
        .thenCompose(connection -> connection.async().master(masterName).toCompletableFuture())
        .<Object>thenApply(this::named)
        .exceptionally(failure -> describe(index) + ": " + Failures.rootMessage(failure));
  }

  // Opened in the round that first needs it; Lettuce reconnects it after that.
  private CompletableFuture<StatefulRedisSentinelConnection<String, String>> connection(int index) {
    StatefulRedisSentinelConnection<String, String> open = connections.get(index);
    if (open != null) return CompletableFuture.completedFuture(open);
    return client.connectSentinelAsync(StringCodec.UTF8, sentinels.get(index)).thenApply(connection -> {
      connections.set(index, connection);
      if (closed) connection.closeAsync();
      return connection;
    });
  }

  private Object named(Map<String, String> master) {
    return new Named(master.get("ip"), Integer.parseInt(master.get("port")),
        Long.parseLong(master.getOrDefault("config-epoch", "0")));
  }

  private void decide(List<Object> answers) {
    Optional<Named> newest = answers.stream().filter(Named.class::isInstance).map(Named.class::cast)
        .max(java.util.Comparator.comparingLong(Named::epoch));
    if (newest.isEmpty()) {
      String reason = reasonNoneNamed(answers);
      if (!reason.equals(unknownReason)) {
        log.warn("No sentinel of {} names master '{}': {}", redacted(), masterName, reason);
      }
      unknownReason = reason;
      return;
    }
    Named master = newest.get();
    Named before = named;
    // A round only lagging sentinels answered must not take the proxy back to a demoted master.
    if (before != null && master.epoch() < before.epoch()) return;
    if (before != null && before.host().equals(master.host()) && before.port() == master.port()) return;
    named = master;
    current = Optional.of(uriOf(master));
    log.info("Sentinels name {}:{} the master '{}' (configuration epoch {}){}", master.host(), master.port(),
        masterName, master.epoch(), before == null ? "" : ", it was " + before.host() + ":" + before.port());
    listeners.forEach(Runnable::run);
  }

  private String reasonNoneNamed(List<Object> answers) {
    boolean unknownName = answers.stream().anyMatch(answer ->
        answer instanceof String text && text.contains("No such master"));
    if (unknownName) return "no sentinel knows a master named '" + masterName + "'";
    return "no sentinel answers (" + String.join("; ", answers.stream().map(String::valueOf).toList()) + ")";
  }

  // The master's own address with the credentials, database and TLS the Sentinel URI gives it.
  private RedisURI uriOf(Named master) {
    RedisURI uri = RedisURI.Builder.redis(master.host(), master.port())
        .withDatabase(sentinelUri.getDatabase())
        .withSsl(sentinelUri.isSsl())
        .withVerifyPeer(sentinelUri.getVerifyMode())
        .withTimeout(sentinelUri.getTimeout())
        .build();
    uri.setCredentialsProvider(sentinelUri.getCredentialsProvider());
    return uri;
  }

  private String describe(int index) {
    return "sentinel " + sentinels.get(index).getHost() + ":" + sentinels.get(index).getPort();
  }

  private String redacted() {
    return new RedisTarget.Sentinel(sentinelUri).redacted();
  }

  @Override
  public void close() {
    closed = true;
    ticks.cancel(false);
    for (int i = 0; i < connections.length(); i++) {
      StatefulRedisSentinelConnection<String, String> connection = connections.get(i);
      if (connection != null) connection.closeAsync();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
