package com.redisproxy.http;

import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.tls.FrontEndTls;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the HTTP front end, holds it to the client limit, and unbinds on coordinated shutdown.
 * With HTTP/2 on, pekko-http binds the port itself ({@code bind(handler)}, the only binding that
 * serves HTTP/2) and {@link AdmittingTelemetry} counts its connections; with it off, each
 * connection from {@code connectionSource()} is counted here.
 */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
  // Connections over the limit are accepted to be refused: pekko-http's own bound sits above ours.
  private static final int REFUSALS_AT_ONCE = 1024;

  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final ClientLimit limit;
  private final IntSupplier maxClients;
  private final Optional<String> streamDispatcher;

  /**
   * Where and how the port listens.
   *
   * @param backlog the listen queue (pekko-http's default of 100 is too short for bursts of connects)
   * @param tls when present, the port speaks HTTPS only
   * @param http2 HTTP/2 too: with TLS negotiated by ALPN (h2), without it by prior knowledge (h2c)
   * @param shutdownDeadline how long requests in flight may take once shutdown has begun
   */
  public record Listen(String host, int port, int backlog, Optional<FrontEndTls> tls, boolean http2,
      Duration shutdownDeadline) {}

  /**
   * @param maxClients the client limit, read at each connect (SIGHUP may change it)
   * @param streamDispatcher the dispatcher each connection's stream runs on; empty: the materializer's
   */
  public HttpServer(ActorSystem<?> system, IntSupplier maxClients, ProxyMetrics metrics, Optional<String> streamDispatcher) {
    this.system = system;
    this.streamDispatcher = streamDispatcher;
    this.materializer = Materializer.matFromSystem(system);
    this.maxClients = maxClients;
    this.limit = new ClientLimit(maxClients, metrics);
  }

  public CompletionStage<ServerBinding> start(Listen listen, Function<HttpRequest, CompletionStage<HttpResponse>> handle) {
    ServerBuilder server = Http.get(system).newServerAt(listen.host(), listen.port())
        .adaptSettings(settings -> settings.withBacklog(listen.backlog()));
    if (listen.tls().isPresent()) {
      server = server.enableHttps(ConnectionContext.httpsServer(listen.tls().get()::newServerEngine));
    }
    CompletionStage<ServerBinding> bound = listen.http2() ? bindHttp2(server, handle) : bindHttp1(server, handle);
    return bound.thenApply(binding -> {
      log.info("HTTP{} front end listening on {}, backlog {}, HTTP/2 {}", listen.tls().isPresent() ? "S" : "",
          binding.localAddress(), listen.backlog(),
          !listen.http2() ? "off" : listen.tls().isPresent() ? "on (ALPN h2)" : "on (h2c, prior knowledge)");
      binding.addToCoordinatedShutdown(listen.shutdownDeadline(), system);
      return binding;
    });
  }

  private CompletionStage<ServerBinding> bindHttp2(
      ServerBuilder server, Function<HttpRequest, CompletionStage<HttpResponse>> handle) {
    AdmittingTelemetry.Installed hook = AdmittingTelemetry.INSTALLED.get(Adapter.toClassic(system));
    hook.dispatcher = streamDispatcher;
    hook.limit = limit;
    Function<HttpRequest, CompletionStage<HttpResponse>> admitted = request -> {
      Optional<HttpResponse> refusal = limit.refusal(request);
      return refusal.isPresent() ? CompletableFuture.completedFuture(refusal.get()) : handle.apply(request);
    };
    return server
        .adaptSettings(settings -> settings.withEnableHttp2(true).withRemoteAddressAttribute(true)
            // Fixed at bind: a limit raised by SIGHUP counts with HTTP/2 only up to this bound.
            .withMaxConnections((int) Math.min(Integer.MAX_VALUE, (long) maxClients.getAsInt() + REFUSALS_AT_ONCE)))
        .bind(admitted)
        .thenApply(binding -> {
          if (!hook.created) {
            binding.unbind();
            throw new IllegalStateException("pekko-http did not install " + AdmittingTelemetry.class.getName()
                + " (pekko.http.http2-telemetry-class): the client limit cannot be kept with HTTP/2 on");
          }
          return binding;
        });
  }

  private CompletionStage<ServerBinding> bindHttp1(
      ServerBuilder server, Function<HttpRequest, CompletionStage<HttpResponse>> handle) {
    // One request at a time per connection, as pekko-http's own Route.flow does. Built once: a
    // Flow is a blueprint, and watchTermination's function runs at each connection's materialization,
    // so each connection's own termination releases its own slot.
    Flow<HttpRequest, HttpResponse, NotUsed> counted = Flow.of(HttpRequest.class).mapAsync(1, handle)
        .watchTermination((notUsed, ended) -> {
          limit.releaseWhen(ended);
          return notUsed;
        });
    Optional<Attributes> onDispatcher = streamDispatcher.map(ActorAttributes::dispatcher);
    return server
        .connectionSource()
        .to(Sink.foreach(connection -> accept(connection, counted, onDispatcher)))
        .run(materializer);
  }

  private void accept(IncomingConnection connection, Flow<HttpRequest, HttpResponse, NotUsed> counted,
      Optional<Attributes> onDispatcher) {
    if (!limit.admit()) {
      connection.handleWith(Flow.of(HttpRequest.class).map(request -> ClientLimit.refusalClosing()), materializer);
      return;
    }
    // The dispatcher goes on the joined graph: the stream's one interpreter takes it from the top.
    RunnableGraph<NotUsed> stream = connection.flow().joinMat(counted, Keep.right());
    (onDispatcher.isPresent() ? stream.addAttributes(onDispatcher.get()) : stream).run(materializer);
  }
}
