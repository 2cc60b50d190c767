package com.redisproxy.bench;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * pekko-http's own ceiling, for bench/ab-connect.sh: a server with the proxy's Pekko settings
 * (proxy-pekko.conf) and nothing else, answering every request with one prebuilt 100-byte
 * response (no routes, no cache, no actor). The second argument picks how it binds, to take the
 * proxy's binding apart from pekko-http's own:
 * <ul>
 *   <li>{@code sync} (the default): {@code bindSync(request -> answer)};
 *   <li>{@code async}: {@code bind(request -> completedFuture(answer))}, the proxy's handler shape;
 *   <li>{@code source}: the proxy's HTTP/1.1 binding on main at f6265da: {@code connectionSource()}, each
 *       connection counted and joined by hand to {@code mapAsync(1)} + {@code watchTermination};
 *   <li>{@code source-cache}: {@code source} with each connection's stream on a one-thread
 *       dispatcher ({@code redis-proxy-cache-dispatcher}), as the proxy's default layout;
 *   <li>{@code flow}: {@code bindFlow} of {@code mapAsync(1)} + {@code watchTermination} counting;
 *   <li>{@code h2c}: {@code bindSync} with HTTP/2 on (prior knowledge beside HTTP/1.1).
 * </ul>
 * Usage: BarePekkoHttp PORT [sync|async|source|source-cache|flow|h2c]
 */
public final class BarePekkoHttp {
  private static final AtomicInteger OPEN = new AtomicInteger();

  private BarePekkoHttp() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    String variant = args.length > 1 ? args[1] : "sync";
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bare",
        ConfigFactory.parseResources("proxy-pekko.conf").withFallback(ConfigFactory.load()));
    HttpResponse answer = HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, "x".repeat(100).getBytes(StandardCharsets.US_ASCII)));
    ServerBuilder server = Http.get(system).newServerAt("127.0.0.1", port)
        .adaptSettings(settings -> settings.withBacklog(1024).withEnableHttp2(variant.equals("h2c")));
    // The handler and the counting as the proxy's HttpServer builds them: once, as blueprints.
    Flow<HttpRequest, HttpResponse, NotUsed> counted = Flow.of(HttpRequest.class)
        .mapAsync(1, request -> CompletableFuture.completedFuture(answer))
        .watchTermination((notUsed, ended) -> {
          OPEN.incrementAndGet();
          ended.whenCompleteAsync((ok, failure) -> OPEN.decrementAndGet(), Runnable::run);
          return notUsed;
        });
    Materializer materializer = Materializer.matFromSystem(system);
    switch (variant) {
      case "sync", "h2c" -> server.bindSync(request -> answer);
      case "async" -> {
        Function<HttpRequest, CompletionStage<HttpResponse>> handle =
            request -> CompletableFuture.completedFuture(answer);
        server.bind(handle);
      }
      case "source", "source-cache" -> {
        boolean onOneThread = variant.equals("source-cache");
        server.connectionSource()
            .to(Sink.foreach(connection -> accept(connection, counted, onOneThread, materializer)))
            .run(materializer);
      }
      case "flow" -> server.bindFlow(counted);
      default -> throw new IllegalArgumentException("no such variant: " + variant);
    }
  }

  private static void accept(IncomingConnection connection, Flow<HttpRequest, HttpResponse, NotUsed> counted,
      boolean onOneThread, Materializer materializer) {
    RunnableGraph<NotUsed> stream = connection.flow().joinMat(counted, Keep.right());
    (onOneThread ? stream.addAttributes(ActorAttributes.dispatcher("redis-proxy-cache-dispatcher")) : stream)
        .run(materializer);
  }
}
