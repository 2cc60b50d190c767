package com.redisproxy.fetch.redis;

import com.redisproxy.fetch.BackingStore;
import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.Failures;
import com.redisproxy.fetch.FetchSettings;
import com.redisproxy.fetch.InvalidationListener;
import com.redisproxy.fetch.KeyRead;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import com.redisproxy.fetch.location.RedisAddress;
import com.redisproxy.fetch.location.RedisLocation;
import com.redisproxy.fetch.location.RedisTarget;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backing Redis: a few shared, pipelined Lettuce connections. Commands fail fast while Redis
 * is unreachable; a connection that closes, or answers no PING for the fetch timeout, is replaced
 * by a new one, retried every 500 ms until Redis answers, so the proxy may also start before Redis.
 *
 * <p>With tracking on, every connection runs CLIENT TRACKING (default mode: Redis remembers the
 * keys each connection read) before it serves a read, its invalidation pushes go to the
 * {@link InvalidationListener}, and its answered PINGs renew its lease (see {@link LeasedConnection}).
 * Invalidations are lost with a connection, so its loss empties the cache, and so does its
 * replacement's tracking going on.
 *
 * <p>Where Redis is comes from a {@link RedisLocation}. When it moves (Sentinel names a new
 * master), every connection is closed and opened again at the new address: Lettuce would
 * otherwise stay on a demoted master that is still up until Sentinel disconnects its clients.
 * With tracking, the move empties the cache, since the new master sends no invalidations for
 * what was read from the old one.
 */
public final class BackingRedis implements BackingStore {

  private static final Logger log = LoggerFactory.getLogger(BackingRedis.class);
  private static final Duration RETRY_DELAY = Duration.ofMillis(500);
  // A batch of misses is one command on Lettuce's stack (MissBatch), however many keys it reads: the
  // misses in flight are bounded by the CacheActor (cache.max-fetches-in-flight), the batches here.
  private static final int REQUEST_QUEUE_SIZE = 10_000;
  private static final int KEYS_PER_BATCH = 1_000;

  /** An event loop the proxy owns, and whether it runs on native epoll. */
  public record LoopToLend(EventLoopGroup loop, boolean epoll) {}

  private final RedisClient client;
  // Made here, and shut down here: a client does not shut down the resources it was given.
  private final ClientResources resources;
  private final RedisTarget target;
  private final RedisLocation location;
  private final FetchSettings settings;
  private final InvalidationListener invalidations;
  private final AtomicReferenceArray<StatefulRedisConnection<ByteString, ByteString>> connections;
  // A batch's GETs as one MGET, until this Redis refuses MGET for good.
  private final GetGrouping getGrouping = GetGrouping.untilRefused();
  // The same connections with their heartbeats; a slot is emptied in both when its connection is lost.
  private final AtomicReferenceArray<LeasedConnection> leasedConnections;
  private final AtomicInteger nextConnection = new AtomicInteger();
  // Bumped when Redis moves: a connection attempt of an earlier round is given up.
  private final AtomicInteger round = new AtomicInteger();
  private volatile boolean closed;
  // Why the last connection attempt failed (Redis's own words, e.g. WRONGPASS), for clients' errors.
  private volatile String lastConnectFailure = "connecting";

  /**
   * @param ioLoop an event loop of the proxy's own for the connections' I/O (see
   *     {@link LentEventLoop}), used when Lettuce's transport fits it; else Lettuce's own loops
   */
  public BackingRedis(
      FetchSettings settings, RedisLocation location, InvalidationListener invalidations, Optional<LoopToLend> ioLoop) {
    this.target = settings.target();
    this.location = location;
    this.settings = settings;
    this.invalidations = invalidations;
    ClientResources.Builder resources = ClientResources.builder().nettyCustomizer(MissBatch.CHANNEL_SETUP);
    boolean lent = LentEventLoop.lendTo(resources, ioLoop);
    log.info("Misses are read from Redis on {}", lent
        ? "the cache's event loop" : "Lettuce's own event loops (none lent, or its transport differs)");
    this.resources = resources.build();
    this.client = RedisClient.create(this.resources);
    this.client.setOptions(
        ClientOptions.builder()
            // A lost connection is replaced by a new one (LeasedConnection), tracking on before any read.
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(REQUEST_QUEUE_SIZE)
            .timeoutOptions(TimeoutOptions.builder().timeoutSource(MissBatch.timeoutsOutsideBatches(settings.fetchTimeout())).build())
            .socketOptions(
                SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build())
            .build());
    this.connections = new AtomicReferenceArray<>(settings.connections());
    this.leasedConnections = new AtomicReferenceArray<>(settings.connections());
    location.onChange(this::moved);
    for (int slot = 0; slot < settings.connections(); slot++) connect(slot, 0);
  }

  /**
   * GET {@code key}, and with readTtl its PTTL, pipelined on one connection: one round trip.
   * Completes with the value (null when absent) or with the failure.
   */
  @Override
  public CompletionStage<RedisValue> get(ByteString key) {
    return getAll(List.of(key)).thenApply(reads -> {
      KeyRead read = reads.get(0);
      if (read.failure() != null) throw new CompletionException(read.failure());
      return read.value();
    });
  }

  @Override
  public CompletionStage<List<KeyRead>> getAll(List<ByteString> keys) {
    List<RedisFetcher.Wanted> wanted = new ArrayList<>(keys.size());
    for (ByteString key : keys) wanted.add(new RedisFetcher.Wanted(key, 0));
    return readAll(wanted);
  }

  /**
   * Every read (GET or another command) and its key's PTTL, handed to a connection in batches of
   * at most {@link #KEYS_PER_BATCH} reads: Lettuce writes and flushes a batch together, where a
   * command at a time costs a hand-over to its event loop and a flush each. Batches stay well under
   * the request queue, which Lettuce checks for a whole batch at once, and take the connections in turn.
   */
  @Override
  public CompletionStage<List<KeyRead>> readAll(List<RedisFetcher.Wanted> keys) {
    if (keys.size() <= KEYS_PER_BATCH) return sendBatch(keys);
    List<CompletableFuture<List<KeyRead>>> batches = new ArrayList<>();
    for (int from = 0; from < keys.size(); from += KEYS_PER_BATCH) {
      batches.add(sendBatch(keys.subList(from, Math.min(keys.size(), from + KEYS_PER_BATCH))).toCompletableFuture());
    }
    return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
        .thenApply(allDone -> batches.stream().flatMap(batch -> batch.join().stream()).toList());
  }

  private CompletionStage<List<KeyRead>> sendBatch(List<RedisFetcher.Wanted> keys) {
    int slot = Math.floorMod(nextConnection.getAndIncrement(), connections.length());
    StatefulRedisConnection<ByteString, ByteString> connection = connections.get(slot);
    if (connection == null) {
      KeyRead down = KeyRead.failed(new RedisConnectionException("not connected: " + whyNotConnected()));
      return CompletableFuture.completedFuture(Collections.nCopies(keys.size(), down));
    }
    return MissBatch.send(connection, keys, settings.readTtl(), getGrouping, settings.fetchTimeout(), client.getResources().timer());
  }

  /** Redis's COMMAND reply (name, arity, flags, key positions of every command), as nested lists. */
  public CompletionStage<List<Object>> commandTable() {
    StatefulRedisConnection<ByteString, ByteString> connection = connections.get(0);
    if (connection == null) {
      return CompletableFuture.failedFuture(new RedisConnectionException("not connected: " + whyNotConnected()));
    }
    return connection.async().command();
  }

  @Override
  public CompletionStage<List<ByteString>> stringList(List<String> args) {
    StatefulRedisConnection<ByteString, ByteString> connection = connections.get(0);
    if (connection == null) {
      return CompletableFuture.failedFuture(new RedisConnectionException("not connected: " + whyNotConnected()));
    }
    io.lettuce.core.protocol.CommandArgs<ByteString, ByteString> commandArgs =
        new io.lettuce.core.protocol.CommandArgs<>(ByteStringCodec.INSTANCE);
    for (String arg : args.subList(1, args.size())) commandArgs.add(arg);
    return connection.async().dispatch(io.lettuce.core.protocol.CommandType.valueOf(args.get(0)),
        new io.lettuce.core.output.ValueListOutput<>(ByteStringCodec.INSTANCE), commandArgs);
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
    return target.redacted();
  }

  // With no address known yet, the slot waits for the location to name one (see moved).
  private void connect(int slot, int of) {
    if (closed || of != round.get()) return;
    Optional<RedisURI> where = location.current();
    if (where.isEmpty()) return;
    client
        .connectAsync(ByteStringCodec.INSTANCE, where.get())
        .thenCompose(connection -> LeasedConnection.open(connection, settings, invalidations,
            client.getResources().eventExecutorGroup(), lost -> lost(slot, of, lost)))
        .whenComplete(
            (leased, failure) -> {
              if (failure == null) {
                // Checked after taking the slot: a close or a move may come at any moment.
                boolean taken = leasedConnections.compareAndSet(slot, null, leased);
                if (!taken || closed || of != round.get()) {
                  if (taken) leasedConnections.compareAndSet(slot, leased, null);
                  leased.close();
                  return;
                }
                connections.set(slot, leased.connection());
                // Lost while the slot was being taken, lost() found nothing to clear: it is done here.
                if (leased.isLost()) {
                  lost(slot, of, leased);
                  return;
                }
                // What was read before on a connection lost since may have missed its invalidations.
                if (settings.tracking()) invalidations.everythingInvalidated("tracking on");
                log.info("Connected to backing Redis {} (connection {})", RedisAddress.redacted(where.get()), slot);
              } else if (of == round.get()) {
                String reason = Failures.rootMessage(failure);
                // Any slot's: when another slot failed first for the same reason, slot 0 would say nothing.
                String before = lastConnectFailure;
                lastConnectFailure = reason;
                if (!reason.equals(before)) {
                  log.warn("Backing Redis {} unreachable, retrying every {} ms: {}", address(), RETRY_DELAY.toMillis(), reason);
                }
                client.getResources().eventExecutorGroup()
                    .schedule(() -> connect(slot, of), RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
              }
            });
  }

  // A connection closed or gone silent: misses fail fast ("not connected") until another is open.
  private void lost(int slot, int of, LeasedConnection leased) {
    if (!leasedConnections.compareAndSet(slot, leased, null)) return; // never taken, or closed by a move
    connections.compareAndSet(slot, leased.connection(), null);
    connect(slot, of);
  }

  private String whyNotConnected() {
    return location.current().isEmpty() ? location.unknownReason() : lastConnectFailure;
  }

  // Misses fail fast ("not connected") until the connections to the new address are open.
  private void moved() {
    int next = round.incrementAndGet();
    lastConnectFailure = "connecting to the master the sentinels name";
    closeAll();
    if (settings.tracking()) invalidations.everythingInvalidated("the master moved");
    for (int slot = 0; slot < connections.length(); slot++) connect(slot, next);
  }

  private void closeAll() {
    for (int slot = 0; slot < connections.length(); slot++) {
      connections.set(slot, null);
      LeasedConnection old = leasedConnections.getAndSet(slot, null);
      if (old != null) old.close();
    }
  }

  @Override
  public void close() {
    closed = true;
    closeAll();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
