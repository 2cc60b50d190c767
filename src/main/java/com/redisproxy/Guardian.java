package com.redisproxy;

import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.CacheClient;
import com.redisproxy.cache.InvalidationInbox;
import com.redisproxy.cache.Ticker;
import com.redisproxy.fetch.BackingRedis;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.http.HttpServer;
import com.redisproxy.http.ProxyRoutes;
import com.redisproxy.metrics.ProxyMetrics;
import io.micrometer.core.instrument.Timer;
import com.redisproxy.resp.RespServer;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Routers;

/** Wires the rooms together: the fetcher pool, the CacheActor, and the front ends. */
public final class Guardian {

  // Beyond this many keys waiting to be invalidated, the cache is cleared instead.
  private static final int INVALIDATIONS_QUEUED_AT_MOST = 100_000;

  private Guardian() {}

  /** @param exitCode completed with a non-zero code when start-up fails and the system stops */
  public static Behavior<Void> create(ProxySettings settings, CompletableFuture<Integer> exitCode) {
    return Behaviors.setup(context -> {
      ProxyMetrics metrics = new ProxyMetrics();
      InvalidationInbox invalidations = new InvalidationInbox(INVALIDATIONS_QUEUED_AT_MOST);
      BackingRedis redis = startBackingRedis(context, settings, invalidations);
      Timer fetchLatency = metrics.fetchLatency();
      ActorRef<RedisFetcher.Command> fetchers = context.spawn(
          Routers.pool(settings.redis().fetcherPoolSize(),
                  Behaviors.supervise(RedisFetcher.create(redis, fetchLatency)).onFailure(SupervisorStrategy.restart()))
              .withRoundRobinRouting(),
          "redis-fetchers");
      ActorRef<CacheActor.Command> cache = context.spawn(
          CacheActor.create(settings.cache(), settings.redis().fetchTimeout(), fetchers, invalidations, Ticker.SYSTEM),
          "cache",
          MailboxSelector.bounded(settings.cache().mailboxCapacity())
              .withDispatcherFromConfig("redis-proxy-cache-dispatcher"));

      ActorSystem<Void> system = context.getSystem();
      CacheClient cacheClient = new CacheClient(
          cache, system.scheduler(), settings.askTimeout(), settings.cache().maxPendingRequests());
      ProxyRoutes routes = new ProxyRoutes(cacheClient, metrics, redis::isConnected, settings.http().accessLog());
      new HttpServer(system, settings.maxClients(), metrics)
          .start(settings.host(), settings.http().port(), settings.backlog(), routes.routes(), settings.shutdownDeadline())
          .whenComplete((binding, failure) -> {
            if (failure != null) failStartup(system, exitCode, "cannot listen for HTTP on "
                + settings.host() + ":" + settings.http().port() + ": " + failure.getMessage());
          });
      if (settings.resp().port() != 0) {
        new RespServer(system, cacheClient, settings.resp(), settings.maxClients(), Main.version(), metrics)
            .start(settings.host(), settings.resp().port(), settings.backlog(), settings.shutdownDeadline())
            .whenComplete((binding, failure) -> {
              if (failure != null) failStartup(system, exitCode, "cannot listen for RESP on "
                  + settings.host() + ":" + settings.resp().port() + ": " + failure.getMessage());
            });
      }
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "drain-cache-requests",
          () -> Drain.untilZero(cacheClient::pendingAsks, settings.shutdownDeadline(), system));
      context.getLog().info(
          "redis-proxy {} starting: HTTP {}:{}, RESP {}, backing Redis {}, cache capacity {} keys, expiry {}, "
              + "Redis TTL {}, invalidation {}",
          Main.version(), settings.host(), settings.http().port(),
          settings.resp().port() == 0 ? "off" : settings.host() + ":" + settings.resp().port(),
          redis.address(), settings.cache().capacity(), settings.cache().expiry(),
          settings.cache().honourRedisTtl() ? "honoured" : "ignored",
          settings.cache().tracking() ? "tracking" : "none");
      return Behaviors.empty();
    });
  }

  private static BackingRedis startBackingRedis(
      ActorContext<Void> context, ProxySettings settings, InvalidationInbox invalidations) {
    ProxySettings.Redis redisSettings = settings.redis();
    BackingRedis redis = new BackingRedis(
        redisSettings.uri(),
        new BackingRedis.Options(redisSettings.fetchTimeout(), redisSettings.connectTimeout(),
            redisSettings.connections(), settings.cache().honourRedisTtl(), settings.cache().tracking()),
        invalidations);
    CoordinatedShutdown.get(context.getSystem()).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-backing-redis", () -> {
          redis.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return redis;
  }

  private static void failStartup(ActorSystem<?> system, CompletableFuture<Integer> exitCode, String reason) {
    system.log().error(reason);
    System.err.println("redis-proxy: " + reason);
    exitCode.complete(1);
    system.terminate();
  }
}
