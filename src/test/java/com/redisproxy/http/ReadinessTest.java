package com.redisproxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.redisproxy.auth.AuthSettings;
import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.InvalidationInbox;
import com.redisproxy.cache.client.CacheClient;
import com.redisproxy.metrics.ProxyMetrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** /ready tells the truth about the cache as well as about Redis. */
class ReadinessTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static int readyStatus(ActorRef<CacheActor.Command> cache, boolean redisReachable) throws Exception {
    CacheClient client = new CacheClient(cache, testKit.system().scheduler(), Duration.ofMillis(300), 100,
        new InvalidationInbox(100));
    ProxyRoutes routes = new ProxyRoutes(client, Runnable::run, new ProxyMetrics(), () -> redisReachable, false,
        AuthSettings.defaults(), com.redisproxy.auth.acl.ProxyIdentity.notFollowed());
    HttpResponse response = routes.routes().seal().handler(testKit.system())
        .apply(HttpRequest.GET("/ready")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return response.status().intValue();
  }

  private static ActorRef<CacheActor.Command> answeringCache() {
    return testKit.spawn(Behaviors.receiveMessage(command -> {
      if (command instanceof CacheActor.GetStats stats) stats.replyTo().tell(CacheStats.NONE);
      return Behaviors.same();
    }));
  }

  @Test
  void readyWhenRedisIsReachableAndTheCacheAnswers() throws Exception {
    assertEquals(200, readyStatus(answeringCache(), true));
  }

  @Test
  void notReadyWhenRedisIsUnreachable() throws Exception {
    assertEquals(503, readyStatus(answeringCache(), false));
  }

  @Test
  void notReadyWhenTheCacheHasStopped() throws Exception {
    ActorRef<CacheActor.Command> stopped = testKit.spawn(Behaviors.stopped());
    assertEquals(503, readyStatus(stopped, true));
  }
}
