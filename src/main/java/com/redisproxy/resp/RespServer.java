package com.redisproxy.resp;

import com.redisproxy.auth.Password;
import com.redisproxy.cache.client.CacheClient;
import com.redisproxy.cache.client.ReadBatcher;
import com.redisproxy.fetch.cluster.ClusterRedis;
import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.resp.cluster.ClusterBackend;
import com.redisproxy.resp.cluster.ClusterPinning;
import com.redisproxy.resp.cluster.ClusterRouting;
import com.redisproxy.resp.codec.ReadingBudget;
import com.redisproxy.resp.codec.RespParser;
import com.redisproxy.resp.command.CommandTable;
import com.redisproxy.resp.command.RespAuth;
import com.redisproxy.resp.command.RespCommands;
import com.redisproxy.resp.command.RespSession;
import com.redisproxy.resp.command.ServerInfo;
import com.redisproxy.auth.acl.AclRules;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.command.RespAuth.RedisUsers;
import com.redisproxy.resp.forward.Backend;
import com.redisproxy.resp.forward.Backends;
import com.redisproxy.resp.forward.LoginBackends;
import com.redisproxy.resp.forward.BackendLocator;
import com.redisproxy.resp.forward.pinned.Pinning;
import com.redisproxy.resp.forward.Forwarding;
import com.redisproxy.resp.forward.Invalidator;
import com.redisproxy.resp.forward.SharedBackend;
import com.redisproxy.resp.tracking.ClientTrackingHub;
import com.redisproxy.tls.FrontEndTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis protocol front end, on Netty's event loops. Each connection parses what it reads into
 * batches and answers them in order (see {@link RespConnection}); the cache reads of every
 * connection a loop served in one cycle go to the CacheActor together (see {@link ReadBatcher}).
 * Connection N+1 past the client limit is answered with Redis's error and closed at once. With
 * front-end TLS, every connection speaks TLS only. Commands that are not cached or answered here
 * go to the backing Redis (see {@link CommandTable}), whose COMMAND table is read at start; in
 * front of a Redis Cluster, by the key's slot (see {@link ClusterRouting}).
 */
public final class RespServer {
  private static final Logger log = LoggerFactory.getLogger(RespServer.class);
  private static final byte[] TOO_MANY_CLIENTS = "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final ChannelHandler CLOSE_ON_ERROR = new CloseOnError();
  private static final Duration COMMAND_TABLE_RETRY = Duration.ofMillis(500);
  private static final AttributeKey<RespSession> SESSION = AttributeKey.valueOf(RespServer.class, "session");

  /** For a connection that is only being refused: whatever goes wrong, it is closed quietly. */
  @ChannelHandler.Sharable
  private static final class CloseOnError extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      context.close();
    }
  }

  /**
   * What the RESP port shares with the HTTP port: where and how both listen, and the clients' password.
   * {@code maxClients} is read at each connect (SIGHUP may change it).
   */
  public record FrontEnd(
      String host, int backlog, IntSupplier maxClients, Optional<FrontEndTls> tls, Optional<Password> password,
      Duration shutdownDeadline) {}

  /**
   * What the server is wired to: the cache, the metrics, its event loops, where Redis is, Redis's COMMAND reply,
   * in front of a Redis Cluster the cluster client it forwards through, and, where the proxy does its clients'
   * CLIENT TRACKING (its own tracking of one Redis), the loops' tracking.
   */
  public record Context(
      ActorSystem<?> system, CacheClient cache, ProxyMetrics metrics, RespEventLoops loops, BackendLocator backend,
      Supplier<CompletionStage<List<Object>>> commandTable, Optional<ClusterRedis> cluster, String version,
      RedisUsers users, Optional<ClientTrackingHub> tracking) {}

  private final ActorSystem<?> system;
  private final CacheClient cache;
  private final RespSettings settings;
  private final FrontEnd frontEnd;
  private final RespCommands commands;
  private final ServerInfo serverInfo;
  private final RespAuth auth;
  private final Forwarding forwarding;
  private final Supplier<CompletionStage<List<Object>>> commandTable;
  private final Map<EventLoop, Backends> backends = new ConcurrentHashMap<>();
  private final Optional<ClusterRedis> cluster;
  private final Optional<ClusterRouting> clusterRouting;
  private final Pinning pinning;
  private final RespEventLoops loops;
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicLong nextClientId = new AtomicLong();
  private final ReadingBudget readingBudget;
  private final ClientRegistry clients = new ClientRegistry();
  private final ProxyMetrics.ConnectionMeters meters;
  private final Map<EventLoop, ReadBatcher> batchers = new ConcurrentHashMap<>();
  private final Optional<ClientTrackingHub> tracking;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  public RespServer(RespSettings settings, FrontEnd frontEnd, Context context) {
    this.settings = settings;
    this.readingBudget = new ReadingBudget(settings.limits().maxReadingBytes());
    this.frontEnd = frontEnd;
    this.system = context.system();
    this.cache = context.cache();
    this.loops = context.loops();
    this.meters = context.metrics().connections("resp", openConnections::get);
    this.auth = new RespAuth(frontEnd.password(), context.metrics().authFailures("resp"), context.users());
    AtomicInteger pinned = new AtomicInteger();
    this.cluster = context.cluster();
    this.tracking = context.tracking();
    this.forwarding = new Forwarding(new CommandTable(settings.refusedCommands(), cluster.isPresent(), tracking.isPresent()), context.backend(),
        settings.connectTimeout(), settings.forwardTimeout(), Invalidator.of(cache), settings.maxPinnedConnections(), pinned,
        new AtomicInteger());
    this.clusterRouting = cluster.map(redis -> new ClusterRouting(forwarding.table(), redis::slot));
    this.pinning = cluster.<Pinning>map(redis -> new ClusterPinning(redis, forwarding)).orElseGet(() -> Pinning.toOneRedis(forwarding));
    this.commandTable = context.commandTable();
    this.serverInfo = new ServerInfo(openConnections::get, pinned::get, context.version());
    this.commands = new RespCommands(serverInfo, context.metrics().readOutcomes("resp"), auth, forwarding.table(), clients);
  }

  /** Binds; on coordinated shutdown, unbinds and then lets every connection finish what it read. */
  public CompletionStage<InetSocketAddress> start() {
    int backlog = frontEnd.backlog();
    Duration idleTimeout = settings.idleTimeout();
    loadCommandTable();
    CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(loops.group())
        .channel(loops.serverChannel())
        .option(ChannelOption.SO_BACKLOG, backlog)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .handler(new Admission(this::admit))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            accept(channel);
          }
        });
    bootstrap.bind(frontEnd.host(), settings.port()).addListener((ChannelFutureListener) binding -> {
      if (!binding.isSuccess()) {
        bound.completeExceptionally(binding.cause());
        return;
      }
      Channel server = binding.channel();
      log.info("RESP{} front end listening on {}, backlog {}, idle timeout {}", frontEnd.tls().isPresent() ? " over TLS" : "",
          server.localAddress(), backlog, idleTimeout.isZero() ? "off" : idleTimeout);
      CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
      shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-resp",
          () -> completion(server.close()));
      shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "drain-resp-connections",
          () -> drain(frontEnd.shutdownDeadline()));
      bound.complete((InetSocketAddress) server.localAddress());
    });
    return bound;
  }

  // On the accepting loop, as the connection is accepted: counted, and listed by CLIENT LIST from
  // here on. One over the limit gets no session; accept() refuses it on its own loop.
  private void admit(Channel channel) {
    if (openConnections.incrementAndGet() > frontEnd.maxClients().getAsInt()) {
      openConnections.decrementAndGet();
      return;
    }
    channel.closeFuture().addListener(closed -> openConnections.decrementAndGet());
    RespSession session = auth.newSession(nextClientId.incrementAndGet());
    channel.attr(SESSION).set(session);
    clients.opened(session, channel);
  }

  // On the connection's own loop, once registered there. With TLS, the refusal of a client over the
  // limit is written once the handshake is done.
  private void accept(SocketChannel channel) {
    frontEnd.tls().ifPresent(tls -> channel.pipeline().addLast(new SslHandler(tls.newServerEngine())));
    RespSession session = channel.attr(SESSION).get();
    if (session == null) {
      meters.refused();
      channel.pipeline().addLast(CLOSE_ON_ERROR);
      channel.writeAndFlush(Unpooled.wrappedBuffer(TOO_MANY_CLIENTS)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    connections.add(channel);
    if (!settings.idleTimeout().isZero()) {
      channel.pipeline().addLast(new IdleStateHandler(settings.idleTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
    }
    ReadBatcher batcher = batchers.computeIfAbsent(channel.eventLoop(), loop -> new ReadBatcher(cache, loop, onLoop(loop)));
    // Redis's tighter limits for a client that has yet to authenticate.
    channel.pipeline().addLast(new RespConnection(new RespParser(settings.limits(), readingBudget, () -> auth.mustAuthenticate(session)),
        session, commands, batcher, auth, forwarding, backends(channel.eventLoop()), pinning,
        tracking.map(hub -> hub.loop(channel.eventLoop(), clients))));
    clients.running(session, channel.eventLoop());
  }

  // A loop's reads are sent once its cycle's reads are done (a task runs after them), and answered
  // on the loop: at once when the cache answers on it (the CacheActor runs on a RESP loop), else as a task.
  private static Executor onLoop(EventLoop loop) {
    return task -> {
      if (loop.inEventLoop()) task.run();
      else loop.execute(task);
    };
  }

  // In front of a cluster no session speaks RESP3 (HELLO 3 is refused), and every client acts as
  // the proxy's user: one backend serves all. Otherwise a connection per Redis user and protocol,
  // each opened on first use: no RESP3 client, no second connection.
  private Backends backends(EventLoop loop) {
    return backends.computeIfAbsent(loop, on -> cluster.isPresent()
        ? Backends.everyone(new ClusterBackend(on, cluster.get(), clusterRouting.get()))
        : new LoginBackends(on, auth.proxyLogin(), (at, login, resp3) ->
            new SharedBackend(at, forwarding.backend(), settings.forwardTimeout(), settings.connectTimeout(), resp3, login)));
  }

  private Backend shared(EventLoop loop) {
    return backends(loop).of(auth.proxyLogin(), false);
  }

  /**
   * Redis's users changed: a client logged in as a user Redis no longer has is disconnected, as
   * Redis disconnects its own. Nothing is done while the users are not known.
   */
  public void usersChanged(AclRules rules) {
    if (!rules.known()) return;
    Set<String> users = rules.users().keySet();
    for (Channel channel : connections) {
      channel.eventLoop().execute(() -> {
        RespConnection connection = channel.pipeline().get(RespConnection.class);
        if (connection != null) connection.closeIfLoggedInAsNoneOf(users);
      });
    }
  }

  // Until Redis has answered COMMAND, every forwarded command is taken to change any key.
  private void loadCommandTable() {
    commandTable.get().whenComplete((reply, failure) -> {
      if (failure == null) {
        forwarding.table().load(reply);
        log.info("Read {} commands from the backing Redis's COMMAND table", forwarding.table().size());
        readRedisVersion();
      } else {
        log.debug("COMMAND table not read yet: {}", failure.toString());
        loops.group().schedule(this::loadCommandTable, COMMAND_TABLE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  // Once: HELLO presents the version the backing Redis had when the proxy started. In front of a
  // cluster through the cluster client, which reaches a node that answers: the RESP port opens no
  // connection of its own there.
  private void readRedisVersion() {
    List<ByteString> infoServer = List.of(ByteString.fromString("INFO"), ByteString.fromString("server"));
    if (cluster.isPresent()) {
      cluster.get().sendToAnyNode(infoServer).thenAccept(serverInfo::learnRedisVersion);
      return;
    }
    EventLoop loop = loops.group().next();
    loop.execute(() -> shared(loop).forward(new RespRequest(infoServer)).thenAccept(serverInfo::learnRedisVersion));
  }

  // Each connection answers what it has read, then closes; connections still open at the
  // deadline are closed as they are.
  private CompletionStage<Done> drain(Duration deadline) {
    for (Channel channel : connections) {
      channel.eventLoop().execute(() -> {
        RespConnection connection = channel.pipeline().get(RespConnection.class);
        if (connection != null) connection.closeWhenAnswered();
      });
    }
    CompletableFuture<Done> drained = new CompletableFuture<>();
    connections.newCloseFuture().addListener(closed -> drained.complete(Done.getInstance()));
    loops.group().schedule(() -> {
      if (!drained.isDone()) connections.close();
    }, deadline.toMillis(), TimeUnit.MILLISECONDS);
    return drained;
  }

  private static CompletionStage<Done> completion(ChannelFuture future) {
    CompletableFuture<Done> done = new CompletableFuture<>();
    future.addListener(ignored -> done.complete(Done.getInstance()));
    return done;
  }
}
