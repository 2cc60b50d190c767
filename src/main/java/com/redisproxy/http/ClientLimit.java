package com.redisproxy.http;

import com.redisproxy.metrics.ProxyMetrics;
import org.apache.pekko.Done;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The HTTP front end's open connections against {@code max-clients}. pekko-http's own
 * max-connections stops accepting (clients wait in the backlog); here connection N+1 is accepted
 * and each of its requests answered at once: 503 with Retry-After (and, over HTTP/1.1, a close).
 */
final class ClientLimit {
  private static final HttpResponse TOO_MANY_CLIENTS = HttpResponse.create()
      .withStatus(StatusCodes.SERVICE_UNAVAILABLE)
      .addHeader(RawHeader.create("Retry-After", "1"))
      .withEntity(JsonBodies.error("too_many_clients", "max number of clients reached"));
  // HTTP/2 has no Connection header (pekko-http drops it with a warning): the refused connection stays
  // open until its client closes it or the idle timeout does, and each of its streams gets the 503.
  private static final HttpResponse TOO_MANY_CLIENTS_CLOSE = TOO_MANY_CLIENTS.addHeader(Connection.create("close"));

  // Pekko's javadsl hands out Scala's CompletableFuture wrapper, whose whenComplete runs the callback
  // "async" on the common pool; with fewer than 3 cores that pool has one thread and
  // CompletableFuture starts a new Thread per callback instead: one per connection closed (seen in
  // a JFR profile of connections per request). Counting down needs no thread of its own.
  private static final Executor IN_PLACE = Runnable::run;

  // Read at each connect: SIGHUP may change it (an admitted connection stays when it is lowered).
  private final IntSupplier maxClients;
  private final AtomicInteger open = new AtomicInteger();
  private final ProxyMetrics.ConnectionMeters meters;
  // Connections over the limit, by the client's address and port (unique among open connections),
  // for the request handler to tell them apart when pekko-http owns the connection's stream.
  private final Set<InetSocketAddress> refused = ConcurrentHashMap.newKeySet();

  ClientLimit(IntSupplier maxClients, ProxyMetrics metrics) {
    this.maxClients = maxClients;
    this.meters = metrics.connections("http", open::get);
  }

  /** Counts a new connection in; false (and nothing counted) when it is one over the limit. */
  boolean admit() {
    if (open.incrementAndGet() <= maxClients.getAsInt()) return true;
    open.decrementAndGet();
    meters.refused();
    return false;
  }

  /** An admitted connection has closed. */
  void release() {
    open.decrementAndGet();
  }

  /** Releases an admitted connection's slot once its stream has ended ({@code watchTermination}). */
  void releaseWhen(CompletionStage<Done> ended) {
    ended.whenCompleteAsync((ok, failure) -> release(), IN_PLACE);
  }

  /** A connection over the limit, whose requests get {@link #refusal} until it has ended. */
  void refuse(InetSocketAddress client, CompletionStage<Done> ended) {
    refused.add(client);
    ended.whenCompleteAsync((ok, failure) -> refused.remove(client), IN_PLACE);
  }

  /** The answer for a request on a connection over the limit; empty for every other request. */
  Optional<HttpResponse> refusal(HttpRequest request) {
    if (refused.isEmpty()) return Optional.empty(); // the common case costs one read
    Optional<RemoteAddress> remote = request.getAttribute(AttributeKeys.remoteAddress);
    if (remote.isEmpty() || remote.get().getAddress().isEmpty()) return Optional.empty();
    InetSocketAddress client = new InetSocketAddress(remote.get().getAddress().get(), remote.get().getPort());
    if (!refused.contains(client)) return Optional.empty();
    return Optional.of(request.protocol().value().equals("HTTP/2.0") ? TOO_MANY_CLIENTS : TOO_MANY_CLIENTS_CLOSE);
  }

  /** The answer for every request of a connection refused before pekko-http's layer was joined to it. */
  static HttpResponse refusalClosing() {
    return TOO_MANY_CLIENTS_CLOSE;
  }
}
