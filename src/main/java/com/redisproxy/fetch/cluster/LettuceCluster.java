package com.redisproxy.fetch.cluster;

import com.redisproxy.fetch.Failures;
import com.redisproxy.fetch.raw.RawReply;
import com.redisproxy.fetch.raw.WholeReplies;
import io.lettuce.core.FlushMode;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.KeyListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RESP port's forwarding to a Redis Cluster, through Lettuce's cluster client: it routes by
 * the key it is given, follows MOVED and ASK, refreshes its view of the slots on redirects,
 * reconnects, and sums or broadcasts what concerns every master. A client of its own, speaking
 * RESP2, so that every reply can be relayed as Redis sent it (see {@link WholeReplies}); commands
 * fail fast while a node is unreachable. The first connection is retried until it succeeds, so
 * the proxy may start before the cluster is up.
 *
 * <p>Every command goes on a master's connection, the one Lettuce routes that master's slots to,
 * which {@link SilentNodeConnections} replaces when it goes silent; none on the cluster
 * connection's own default connection, which Lettuce gives keyless commands and which nothing
 * watches (a silent one would fail every keyless command at the timeout, for good).
 */
public final class LettuceCluster implements ClusterRedis, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LettuceCluster.class);
  private static final NamedCommand COMMAND = new NamedCommand("COMMAND".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

  private final ClientResources resources;
  private final RedisClusterClient client;
  private volatile StatefulRedisClusterConnection<byte[], byte[]> connection;
  private volatile String lastConnectFailure = "connecting";
  private volatile boolean closed;
  // A node connection silent for the timeout is replaced: its commands have failed by then anyway.
  private final Optional<SilentNodeConnections> silentNodes;

  /** @param timeout how long a command may wait for its reply; zero for no limit (nor a silent connection replaced) */
  public LettuceCluster(List<RedisURI> seeds, Duration timeout, Duration connectTimeout) {
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(1)
        .reconnectDelay(ClusterClientChoices.reconnectDelay())
        .nettyCustomizer(new NettyCustomizer() {
          @Override
          public void afterChannelInitialized(Channel channel) {
            WholeReplies.install(channel);
          }
        })
        .build();
    this.client = RedisClusterClient.create(resources, ClusterClientChoices.seedsAnsweringWithin(seeds, timeout));
    // The fetch path's choices (see ClusterClientChoices), in RESP2: replies are relayed to RESP2 clients as they come.
    client.setOptions(ClusterClientChoices.options(timeout, connectTimeout).protocolVersion(ProtocolVersion.RESP2).build());
    this.silentNodes = timeout.isZero() ? Optional.empty()
        : Optional.of(new SilentNodeConnections(timeout, resources.eventExecutorGroup()));
    connect();
  }

  @Override
  public CompletionStage<ByteString> send(List<ByteString> args, int keyIndex) {
    CommandArgs<byte[], byte[]> commandArgs = new CommandArgs<>(ByteArrayCodec.INSTANCE);
    for (int i = 1; i < args.size(); i++) {
      if (i == keyIndex) commandArgs.addKey(args.get(i).toArray()); // Lettuce routes by the first key it is given
      else commandArgs.add(args.get(i).toArray());
    }
    return dispatch(args.get(0), commandArgs);
  }

  @Override
  public CompletionStage<ByteString> sendToAnyNode(List<ByteString> args) {
    return firstOpenMaster().thenCompose(master -> sendToNode(master, args));
  }

  @Override
  public boolean everyMasterConnected() {
    StatefulRedisClusterConnection<byte[], byte[]> open = connection;
    if (open == null || !open.isOpen()) return false;
    for (RedisClusterNode master : mastersInSlotOrder()) {
      if (!isOpen(connectionTo(master))) return false;
    }
    return true;
  }

  private static boolean isOpen(CompletableFuture<StatefulRedisConnection<byte[], byte[]>> node) {
    return node.isDone() && !node.isCompletedExceptionally() && node.join().isOpen();
  }

  // The connection slot routing uses (by address, with the WRITE intent): the watched one. Lettuce
  // keeps another per node id, which nothing else would use or watch.
  private CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connectionTo(RedisClusterNode node) {
    return connection.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort());
  }

  // The first master in slot order whose connection is open (the first, when none is).
  private CompletionStage<RedisClusterNode> firstOpenMaster() {
    return commands().thenApply(async -> {
      List<RedisClusterNode> masters = mastersInSlotOrder();
      if (masters.isEmpty()) throw new RedisConnectionException("no master of the Redis Cluster serves slots");
      return masters.stream().filter(master -> isOpen(connectionTo(master))).findFirst().orElse(masters.get(0));
    });
  }

  @Override
  public int slot(ByteString key) {
    return SlotHash.getSlot(key.toArray());
  }

  @Override
  public CompletionStage<List<ByteString>> keysOf(List<ByteString> args) {
    CommandArgs<byte[], byte[]> commandArgs = new CommandArgs<>(ByteArrayCodec.INSTANCE).add("GETKEYS");
    for (ByteString arg : args) commandArgs.add(arg.toArray());
    return firstOpenMaster().thenCompose(master -> connectionTo(master))
        .thenCompose(node -> node.async().dispatch(COMMAND, new KeyListOutput<>(ByteArrayCodec.INSTANCE), commandArgs))
        .thenApply(keys -> keys.stream().map(ByteString::fromArrayUnsafe).toList())
        .exceptionally(failure -> { throw redisError(failure); });
  }

  @Override
  public CompletionStage<Long> dbsize() {
    return mastersNow().thenCompose(RedisAdvancedClusterAsyncCommands::dbsize).exceptionally(failure -> { throw redisError(failure); });
  }

  @Override
  public CompletionStage<String> flush(String command, List<ByteString> options) {
    boolean all = command.equalsIgnoreCase("flushall");
    if (options.size() > 1) return CompletableFuture.failedFuture(new RedisError("ERR syntax error"));
    FlushMode mode = null;
    if (options.size() == 1) {
      String option = options.get(0).utf8String().toUpperCase(Locale.ROOT);
      if (option.equals("ASYNC")) mode = FlushMode.ASYNC;
      else if (option.equals("SYNC")) mode = FlushMode.SYNC;
      else return CompletableFuture.failedFuture(new RedisError("ERR syntax error"));
    }
    FlushMode chosen = mode;
    return mastersNow().thenCompose(async -> chosen == null
            ? (all ? async.flushall() : async.flushdb())
            : (all ? async.flushall(chosen) : async.flushdb(chosen)))
        .exceptionally(failure -> { throw redisError(failure); });
  }

  @Override
  public CompletionStage<List<ByteString>> sendToEveryMaster(List<ByteString> args) {
    return mastersNow().thenCompose(async -> {
      List<CompletableFuture<ByteString>> replies = mastersInSlotOrder().stream()
          .map(master -> sendToNode(master, args).toCompletableFuture()).toList();
      return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
          .thenApply(all -> replies.stream().map(CompletableFuture::join).toList());
    });
  }

  @Override
  public CompletionStage<MasterReply> sendToMaster(int nth, List<ByteString> args) {
    return commands().thenCompose(async -> {
      List<RedisClusterNode> masters = mastersInSlotOrder();
      if (nth >= masters.size()) {
        throw new RedisError("ERR invalid cursor: it names master " + (nth + 1) + " of a Redis Cluster that has "
            + masters.size() + " now");
      }
      return sendToNode(masters.get(nth), args).thenApply(reply -> new MasterReply(reply, masters.size()));
    });
  }

  // The lowest slot a master serves stays with its replica when it fails over: a stable order.
  private List<RedisClusterNode> mastersInSlotOrder() {
    return connection.getPartitions().stream()
        .filter(node -> node.getRole().isUpstream() && !node.getSlots().isEmpty())
        .sorted(Comparator.comparingInt(node -> Collections.min(node.getSlots())))
        .toList();
  }

  private CompletionStage<ByteString> sendToNode(RedisClusterNode node, List<ByteString> args) {
    CommandArgs<byte[], byte[]> commandArgs = new CommandArgs<>(ByteArrayCodec.INSTANCE);
    for (int i = 1; i < args.size(); i++) commandArgs.add(args.get(i).toArray());
    RawReply reply = new RawReply();
    return relayed(connectionTo(node)
        .thenCompose(open -> pastConnectionState(open, new Command<>(NamedCommand.of(args.get(0)), reply, commandArgs))), reply);
  }

  // Written past the node connection's own bookkeeping: given EXEC, MULTI, SELECT ... through its
  // API, Lettuce would change what it expects of this shared connection (EXEC's reply read as a
  // transaction's, every later command queued in a MULTI). A client's command is relayed as it is.
  private static CompletionStage<ByteString> pastConnectionState(
      StatefulRedisConnection<byte[], byte[]> open, Command<byte[], byte[], ByteString> command) {
    AsyncCommand<byte[], byte[], ByteString> sent = new AsyncCommand<>(command);
    ((RedisChannelHandler<?, ?>) open).getChannelWriter().write(sent);
    return sent;
  }

  @Override
  public Optional<Node> masterOf(int slot) {
    StatefulRedisClusterConnection<byte[], byte[]> open = connection;
    if (open == null) return Optional.empty();
    return Optional.ofNullable(open.getPartitions().getMasterBySlot(slot)).filter(node -> node.getUri() != null)
        .map(node -> new Node(node.getUri().getHost(), node.getUri().getPort()));
  }

  @Override
  public Optional<Node> anyMaster() {
    if (connection == null) return Optional.empty();
    List<RedisClusterNode> masters = mastersInSlotOrder().stream().filter(node -> node.getUri() != null).toList();
    if (masters.isEmpty()) return Optional.empty();
    RedisClusterNode master = masters.get(ThreadLocalRandom.current().nextInt(masters.size()));
    return Optional.of(new Node(master.getUri().getHost(), master.getUri().getPort()));
  }

  @Override
  public CompletionStage<Void> readSlotsAgain() {
    if (connection == null) return CompletableFuture.completedFuture(null);
    return client.refreshPartitionsAsync().handle((read, failure) -> null);
  }

  @Override
  public CompletionStage<List<Object>> commandTable() {
    return firstOpenMaster().thenCompose(master -> connectionTo(master)).thenCompose(node -> node.async().command());
  }

  private CompletionStage<ByteString> dispatch(ByteString name, CommandArgs<byte[], byte[]> args) {
    RawReply reply = new RawReply();
    return relayed(commands().thenCompose(async -> async.dispatch(NamedCommand.of(name), reply, args)), reply);
  }

  private static CompletionStage<ByteString> relayed(CompletionStage<?> sent, RawReply reply) {
    return sent.handle((bytes, failure) -> {
      // A redirect Lettuce gave up on is still Redis's reply: relay it.
      if (reply.get() != null && (failure == null || cause(failure) instanceof RedisCommandExecutionException)) {
        return reply.get();
      }
      if (failure == null) throw new IllegalStateException("Lettuce decoded a reply that did not come through WholeReplies");
      throw failure instanceof CompletionException wrapped ? wrapped : new CompletionException(failure);
    });
  }

  // Lettuce sends these to the masters it knows, and no redirect corrects a stale view of them:
  // after a failover the old master, a replica now, would answer FLUSHALL with -READONLY. Rare
  // commands: the slot map is read again first.
  private CompletionStage<RedisAdvancedClusterAsyncCommands<byte[], byte[]>> mastersNow() {
    return commands().thenCompose(async -> client.refreshPartitionsAsync().thenApply(read -> async));
  }

  private CompletionStage<RedisAdvancedClusterAsyncCommands<byte[], byte[]>> commands() {
    StatefulRedisClusterConnection<byte[], byte[]> open = connection;
    if (open == null) {
      return CompletableFuture.failedFuture(new RedisConnectionException("not connected to the cluster: " + lastConnectFailure));
    }
    return CompletableFuture.completedFuture(open.async());
  }

  private void connect() {
    if (closed) return;
    // connectAsync needs the slot map already read (connect reads it itself, blocking).
    client.refreshPartitionsAsync().thenCompose(read -> client.connectAsync(ByteArrayCodec.INSTANCE)).whenComplete((opened, failure) -> {
      if (failure == null) {
        connection = opened;
        if (closed) {
          opened.closeAsync();
          return;
        }
        log.info("RESP forwarding connected to the Redis Cluster ({} nodes known)", client.getPartitions().size());
        connectToEveryNode();
        resources.eventBus().get().filter(ClusterTopologyChangedEvent.class::isInstance).subscribe(changed -> connectToEveryNode());
        // a safety net: a node connection lost and not yet back is opened again before a client needs it
        resources.eventExecutorGroup().scheduleWithFixedDelay(this::connectToEveryNode,
            ClusterClientChoices.NODE_CONNECTIONS_CHECK.toMillis(), ClusterClientChoices.NODE_CONNECTIONS_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        return;
      }
      String reason = Failures.rootMessage(failure);
      if (!reason.equals(lastConnectFailure)) {
        log.warn("Redis Cluster unreachable for RESP forwarding, retrying every {} ms: {}", ClusterClientChoices.RETRY_DELAY.toMillis(), reason);
      }
      lastConnectFailure = reason;
      resources.eventExecutorGroup().schedule(this::connect, ClusterClientChoices.RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    });
  }

  // Lettuce opens a node's connection at its first command, and with REJECT_COMMANDS it rejects the
  // commands sent while that connection is being opened: open them all before clients need them.
  private void connectToEveryNode() {
    StatefulRedisClusterConnection<byte[], byte[]> open = connection;
    if (open == null || closed) return;
    for (RedisClusterNode node : open.getPartitions()) {
      String host = node.getUri().getHost();
      int port = node.getUri().getPort();
      open.getConnectionAsync(host, port)
          .thenAccept(opened -> silentNodes.ifPresent(silent -> silent.watch(opened, host + ":" + port)))
          .exceptionally(failure -> {
            log.debug("cannot connect to cluster node {}: {}", node.getUri(), failure.toString());
            return null;
          });
    }
  }

  private static RuntimeException redisError(Throwable failure) {
    Throwable cause = cause(failure);
    if (cause instanceof RedisCommandExecutionException redis) return new RedisError(redis.getMessage());
    return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
  }

  private static Throwable cause(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    return cause;
  }

  @Override
  public void close() {
    closed = true;
    StatefulRedisClusterConnection<byte[], byte[]> open = connection;
    if (open != null) open.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
