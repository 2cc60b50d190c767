package com.redisproxy.http;

import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.tls.FrontEndTls;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the HTTP front end, counts open connections, and unbinds on coordinated shutdown.
 * pekko-http's own max-connections stops accepting (clients wait in the backlog); here
 * connection N+1 is accepted and answered at once: 503, Retry-After, Connection: close.
 */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
  private static final HttpResponse TOO_MANY_CLIENTS = HttpResponse.create()
      .withStatus(StatusCodes.SERVICE_UNAVAILABLE)
      .addHeader(RawHeader.create("Retry-After", "1"))
      .addHeader(Connection.create("close"))
      .withEntity(JsonBodies.error("too_many_clients", "max number of clients reached"));

  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final int maxClients;
  private final AtomicInteger openConnections = new AtomicInteger();
  private final ProxyMetrics.ConnectionMeters meters;
  private final Optional<String> streamDispatcher;

  /** @param streamDispatcher the dispatcher each connection's stream runs on; empty: the materializer's */
  public HttpServer(ActorSystem<?> system, int maxClients, ProxyMetrics metrics, Optional<String> streamDispatcher) {
    this.system = system;
    this.streamDispatcher = streamDispatcher;
    this.materializer = Materializer.matFromSystem(system);
    this.maxClients = maxClients;
    this.meters = metrics.connections("http", openConnections::get);
  }

  /**
   * @param backlog the listen queue (pekko-http's default of 100 is too short for bursts of connects)
   * @param tls when present, the port speaks HTTPS only
   * @param shutdownDeadline how long requests in flight may take once shutdown has begun
   */
  public CompletionStage<ServerBinding> start(
      String host, int port, int backlog, Optional<FrontEndTls> tls,
      Function<HttpRequest, CompletionStage<HttpResponse>> handle, Duration shutdownDeadline) {
    // One request at a time per connection, as pekko-http's own Route.flow does.
    Flow<HttpRequest, HttpResponse, NotUsed> handler = Flow.of(HttpRequest.class).mapAsync(1, handle);
    ServerBuilder server = Http.get(system).newServerAt(host, port).adaptSettings(settings -> settings.withBacklog(backlog));
    if (tls.isPresent()) server = server.enableHttps(ConnectionContext.httpsServer(tls.get()::newServerEngine));
    return server
        .connectionSource()
        .to(Sink.foreach(connection -> accept(connection, handler)))
        .run(materializer)
        .thenApply(binding -> {
          log.info("HTTP{} front end listening on {}, backlog {}", tls.isPresent() ? "S" : "", binding.localAddress(), backlog);
          binding.addToCoordinatedShutdown(shutdownDeadline, system);
          return binding;
        });
  }

  private void accept(IncomingConnection connection, Flow<HttpRequest, HttpResponse, NotUsed> handler) {
    if (openConnections.incrementAndGet() > maxClients) {
      openConnections.decrementAndGet();
      meters.refused();
      connection.handleWith(Flow.of(HttpRequest.class).map(request -> TOO_MANY_CLIENTS), materializer);
      return;
    }
    Flow<HttpRequest, HttpResponse, NotUsed> counted = handler.watchTermination((notUsed, done) -> {
      done.whenComplete((ok, failure) -> openConnections.decrementAndGet());
      return notUsed;
    });
    // The dispatcher goes on the joined graph: the stream's one interpreter takes it from the top.
    RunnableGraph<NotUsed> stream = connection.flow().joinMat(counted, Keep.right());
    streamDispatcher.map(id -> stream.addAttributes(ActorAttributes.dispatcher(id))).orElse(stream).run(materializer);
  }
}
