package com.redisproxy;

import com.redisproxy.auth.acl.AclWatch;
import com.redisproxy.auth.acl.ReadPermission;
import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.InvalidationInbox;
import com.redisproxy.cache.KeysChanged;
import com.redisproxy.cache.store.Ticker;
import com.redisproxy.cache.client.CacheClient;
import com.redisproxy.fetch.redis.BackingRedis;
import com.redisproxy.fetch.BackingStore;
import com.redisproxy.fetch.FetchSettings;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.location.RedisLocation;
import com.redisproxy.fetch.location.RedisTarget;
import com.redisproxy.fetch.SentinelWatch;
import com.redisproxy.fetch.cluster.ClusterBackingRedis;
import com.redisproxy.fetch.cluster.ClusterRedis;
import com.redisproxy.fetch.cluster.LettuceCluster;
import com.redisproxy.http.HttpServer;
import com.redisproxy.http.ProxyRoutes;
import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.resp.RespEventLoops;
import com.redisproxy.resp.RespServer;
import com.redisproxy.resp.command.RedisLogin;
import com.redisproxy.resp.command.RespAuth.RedisUsers;
import com.redisproxy.resp.tracking.ClientTrackingHub;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Routers;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;

/** Wires the rooms together: the fetcher pool, the CacheActor, and the front ends. */
public final class Guardian {

  // Beyond this many keys waiting to be invalidated, the cache is cleared instead.
  private static final int INVALIDATIONS_QUEUED_AT_MOST = 100_000;
  private static final String CACHE_DISPATCHER = "redis-proxy-cache-dispatcher";
  // Sentinel's master is asked for on this timer; a failover is followed within about this long.
  private static final java.time.Duration SENTINEL_POLL = java.time.Duration.ofMillis(500);
  // Redis's users are read this often: a change made straight on Redis counts within about this long.
  private static final java.time.Duration ACL_POLL = java.time.Duration.ofMillis(250);

  private Guardian() {}

  /** @param exitCode completed with a non-zero code when start-up fails and the system stops */
  public static Behavior<Void> create(ProxySettings settings, CompletableFuture<Integer> exitCode) {
    return Behaviors.setup(context -> {
      ProxyMetrics metrics = new ProxyMetrics();
      InvalidationInbox invalidations =
          new InvalidationInbox(INVALIDATIONS_QUEUED_AT_MOST, settings.cache().invalidationLease());
      RedisLocation location = redisLocation(context, settings.fetch());
      ActorSystem<Void> system = context.getSystem();
      Optional<RespEventLoops> respLoops =
          settings.resp().port() == 0 ? Optional.empty() : Optional.of(respEventLoops(system, settings.resp().eventLoops()));
      respLoops.ifPresent(loops -> ExecutorDispatcher.register(system, CACHE_DISPATCHER, loops.cacheLoop()));
      // The fetchers' connections do their I/O on the CacheActor's loop too: no wake-up per miss.
      Optional<BackingRedis.LoopToLend> fetchLoop =
          respLoops.map(loops -> new BackingRedis.LoopToLend(loops.cacheLoop(), loops.epoll()));
      BackingStore redis = startBackingStore(context, settings.fetch(), location, invalidations, fetchLoop);
      metrics.redisConnected(redis::isConnected);
      // The cache's lease, and in front of a cluster every node's: one lapsed node's keys are misses.
      boolean leaseKept = !settings.cache().invalidationLease().isZero();
      BooleanSupplier leaseHeld =
          () -> invalidations.leaseHeld(System.nanoTime()) && (!leaseKept || redis.everyLeaseHeld());
      metrics.invalidationLeaseHeld(leaseHeld);
      Timer fetchLatency = metrics.fetchLatency();
      // On the CacheActor's thread: a miss reaches its fetcher without waking another thread.
      DispatcherSelector cacheThread = DispatcherSelector.fromConfig(CACHE_DISPATCHER);
      ActorRef<RedisFetcher.Command> fetchers = context.spawn(
          Routers.pool(settings.fetch().fetcherPoolSize(),
                  Behaviors.supervise(RedisFetcher.create(redis, fetchLatency)).onFailure(SupervisorStrategy.restart()))
              .withRoundRobinRouting()
              .withRouteeProps(cacheThread),
          "redis-fetchers", cacheThread);
      // With the proxy's own tracking of one Redis (or a Sentinel's master), it does its RESP clients' CLIENT TRACKING too.
      Optional<ClientTrackingHub> clientTracking = respLoops.isPresent() && settings.fetch().tracking()
          && !(settings.fetch().target() instanceof RedisTarget.Cluster)
          ? Optional.of(new ClientTrackingHub(settings.resp().trackedKeysPerClient())) : Optional.empty();
      ActorRef<CacheActor.Command> cache = context.spawn(
          CacheActor.create(settings.cache(), fetchers, invalidations, Ticker.SYSTEM,
              clientTracking.<KeysChanged>map(hub -> hub).orElse(KeysChanged.NONE)),
          "cache",
          MailboxSelector.bounded(settings.cache().mailboxCapacity())
              .withDispatcherFromConfig(CACHE_DISPATCHER));
      // Both front ends read the client limit at each connect; SIGHUP sets it.
      AtomicInteger clientLimit = new AtomicInteger(settings.maxClients());
      Reload.onSighup(cache, clientLimit);

      // Redis's users, followed (ACL LIST) so that a cached reply is served only to whom Redis would give it.
      ReadPermission permission = new ReadPermission();
      RedisLogin proxyLogin = ProxyLogin.of(settings.fetch().target());
      Optional<AclWatch> aclWatch = settings.fetch().target() instanceof RedisTarget.Cluster
          ? Optional.empty()
          : Optional.of(new AclWatch(ProxyLogin.aclSource(redis), permission, aclTimer(system), ACL_POLL));
      java.util.concurrent.atomic.AtomicBoolean loginRefused = aclWatch
          .map(watch -> ProxyLogin.watchLockout(watch, proxyLogin, metrics))
          .orElseGet(java.util.concurrent.atomic.AtomicBoolean::new);
      aclWatch.ifPresent(watch -> {
        watch.start();
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "stop-acl-watch", () -> {
          watch.stop();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
      });
      CacheClient cacheClient = new CacheClient(
          cache, system.scheduler(), settings.cache().askTimeout(), settings.cache().maxPendingRequests(), invalidations);
      // HTTP reads are gathered on the thread the CacheActor runs on: the RESP loop, else Pekko's pool.
      Executor httpReadsSentFrom = respLoops.<Executor>map(RespEventLoops::cacheLoop).orElse(system.executionContext());
      // In front of a cluster the RESP port forwards through a client of its own: ready once it reaches every master.
      Optional<ClusterRedis> cluster = respLoops.isPresent()
          ? clusterForwarding(context, settings.fetch(), settings.resp().forwardTimeout()) : Optional.empty();
      BooleanSupplier ready = () -> redis.isConnected() && leaseHeld.getAsBoolean() && !loginRefused.get()
          && cluster.map(ClusterRedis::everyMasterConnected).orElse(true);
      ProxyRoutes routes = new ProxyRoutes(cacheClient, httpReadsSentFrom, metrics, ready, settings.http().accessLog(),
          settings.auth(), ProxyLogin.identity(proxyLogin, aclWatch.isPresent(), permission));
      Optional<String> httpStreamDispatcher = settings.http().onCacheThread() ? Optional.of(CACHE_DISPATCHER) : Optional.empty();
      HttpServer http = new HttpServer(system, clientLimit::get, metrics, httpStreamDispatcher);
      HttpServer.Listen httpListen = new HttpServer.Listen(settings.host(), settings.http().port(), settings.backlog(),
          settings.tls(), settings.http().http2(settings.tls().isPresent()), settings.shutdownDeadline());
      Function<HttpRequest, CompletionStage<HttpResponse>> httpHandler = routes.handler(system);
      String cannotListenForHttp = "cannot listen for HTTP on " + settings.host() + ":" + settings.http().port() + ": ";
      Runnable startHttp = () -> {
        try {
          http.start(httpListen, httpHandler).whenComplete((binding, failure) -> {
            if (failure != null) fail(system, exitCode, cannotListenForHttp + failure.getMessage());
          });
        } catch (RuntimeException refused) {
          fail(system, exitCode, cannotListenForHttp + refused.getMessage());
        }
      };
      // HTTP opens last, once RESP listens: an answer on /health then means every port is open.
      CompletionStage<?> respListening = respLoops.<CompletionStage<?>>map(loops -> {
        Supplier<CompletionStage<List<Object>>> commandTable =
            cluster.isPresent() ? cluster.get()::commandTable : redis::commandTable;
        RespServer.FrontEnd frontEnd = new RespServer.FrontEnd(settings.host(), settings.backlog(), clientLimit::get,
            settings.tls(), settings.auth().password(), settings.shutdownDeadline());
        RespServer.Context respContext = new RespServer.Context(
            system, cacheClient, metrics, loops, new FollowedBackend(location), commandTable, cluster, Main.version(),
            cluster.isPresent() ? RedisUsers.inCluster(proxyLogin) : RedisUsers.followed(proxyLogin, permission, settings.auth().anonymousRefused()),
            clientTracking);
        RespServer resp = new RespServer(settings.resp(), frontEnd, respContext);
        aclWatch.ifPresent(watch -> watch.onChange(resp::usersChanged));
        return resp.start()
            .whenComplete((binding, failure) -> {
              if (failure != null) fail(system, exitCode, "cannot listen for RESP on "
                  + settings.host() + ":" + settings.resp().port() + ": " + failure.getMessage());
            });
      }).orElse(CompletableFuture.completedFuture(null));
      respListening.thenRun(startHttp);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "drain-cache-requests",
          () -> Drain.untilZero(cacheClient::pendingAsks, settings.shutdownDeadline(), system));
      context.getLog().info(
          "redis-proxy {} starting: HTTP{} {}:{}, RESP {}, backing Redis {}, cache capacity {} keys, expiry {}, "
              + "Redis TTL {}, invalidation {}, auth {}",
          Main.version(), settings.tls().isPresent() ? "S" : "", settings.host(), settings.http().port(),
          settings.resp().port() == 0 ? "off" : settings.host() + ":" + settings.resp().port()
              + (settings.tls().isPresent() ? " over TLS" : ""),
          redis.address(), settings.cache().capacity(), settings.cache().expiry(),
          settings.fetch().readTtl() ? "honoured" : "ignored",
          settings.fetch().tracking() ? "tracking" : "none",
          settings.auth().required() ? "on" : "off");
      // The cache restarts itself after a failure; should it stop anyway, the proxy is useless.
      context.watch(cache);
      return Behaviors.receive(Void.class)
          .onSignal(Terminated.class, stopped -> {
            fail(system, exitCode, "the cache stopped; exiting so that the proxy can be restarted");
            return Behaviors.same();
          })
          .build();
    });
  }

  // The thread layout (resp.event-loops, http.on-cache-thread; docs/architecture.md, Threads): the
  // first loop runs the CacheActor, the fetchers and their Lettuce connections' I/O beside its share
  // of RESP connections (by default every HTTP stream too); one loop in all suits a small machine,
  // where a second is a thread more to switch between. The loops close once the actor system has
  // ended, since the CacheActor runs on the first until then.
  private static RespEventLoops respEventLoops(ActorSystem<?> system, int eventLoops) {
    RespEventLoops loops = new RespEventLoops(eventLoops);
    system.getWhenTerminated().thenRun(loops::close);
    return loops;
  }

  private static java.util.concurrent.ScheduledExecutorService aclTimer(ActorSystem<?> system) {
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
        runnable -> {
          Thread thread = new Thread(runnable, "redis-proxy-acl-watch");
          thread.setDaemon(true);
          return thread;
        });
    system.getWhenTerminated().thenRun(timer::shutdownNow);
    return timer;
  }

  private static RedisLocation redisLocation(ActorContext<Void> context, FetchSettings settings) {
    RedisLocation location;
    if (settings.target() instanceof RedisTarget.Sentinel sentinel) {
      location = new SentinelWatch(sentinel.uri(), SENTINEL_POLL, settings.connectTimeout());
    } else if (settings.target() instanceof RedisTarget.Standalone standalone) {
      location = RedisLocation.fixed(standalone.uri());
    } else {
      // In front of a cluster nothing pins, so the RESP port never connects here: its commands go
      // through the cluster client (clusterForwarding).
      location = RedisLocation.fixed(((RedisTarget.Cluster) settings.target()).seeds().get(0));
    }
    CoordinatedShutdown.get(context.getSystem()).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-redis-location", () -> {
          location.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return location;
  }

  private static BackingStore startBackingStore(
      ActorContext<Void> context, FetchSettings settings, RedisLocation location, InvalidationInbox invalidations,
      Optional<BackingRedis.LoopToLend> fetchLoop) {
    BackingStore redis = settings.target() instanceof RedisTarget.Cluster cluster
        ? new ClusterBackingRedis(cluster, settings, invalidations, fetchLoop)
        : new BackingRedis(settings, location, invalidations, fetchLoop);
    CoordinatedShutdown.get(context.getSystem()).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-backing-redis", () -> {
          redis.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return redis;
  }

  // In front of a Redis Cluster the RESP port forwards through a cluster client of its own.
  private static Optional<ClusterRedis> clusterForwarding(
      ActorContext<Void> context, FetchSettings settings, java.time.Duration forwardTimeout) {
    if (!(settings.target() instanceof RedisTarget.Cluster cluster)) return Optional.empty();
    LettuceCluster forwarding = new LettuceCluster(cluster.seeds(), forwardTimeout, settings.connectTimeout());
    CoordinatedShutdown.get(context.getSystem()).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-cluster-forwarding", () -> {
          forwarding.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return Optional.of(forwarding);
  }

  private static void fail(ActorSystem<?> system, CompletableFuture<Integer> exitCode, String reason) {
    system.log().error(reason);
    System.err.println("redis-proxy: " + reason);
    exitCode.complete(1);
    system.terminate();
  }
}
