package com.redisproxy.resp;

import com.redisproxy.cache.CacheClient;
import com.redisproxy.metrics.ProxyMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis protocol front end: a Pekko Streams TCP server. Each connection parses what it reads
 * into batches, answers each batch with one write, in order, and closes after QUIT or a protocol
 * error. Backpressure is end to end: a client that does not read its replies stops being read.
 * On shutdown it unbinds, then closes every connection once the requests it has read are answered.
 */
public final class RespServer {
  private static final Logger log = LoggerFactory.getLogger(RespServer.class);
  private static final ByteString TOO_MANY_CLIENTS = ByteString.fromString("-ERR max number of clients reached\r\n");
  private static final int BATCHES_IN_FLIGHT = 8;

  private final ActorSystem<?> system;
  private final RespLimits limits;
  private final int maxClients;
  private final Duration idleTimeout;
  private final ReadGate readGate;
  private final ReadGates readGates = new ReadGates();
  private final RespCommands commands;
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicLong nextClientId = new AtomicLong();
  private final ProxyMetrics.ConnectionMeters meters;

  public RespServer(
      ActorSystem<?> system, CacheClient cache, RespSettings settings, int maxClients, String version, ProxyMetrics metrics) {
    this.system = system;
    this.limits = settings.limits();
    this.maxClients = maxClients;
    this.idleTimeout = settings.idleTimeout();
    this.readGate = new ReadGate(idleTimeout, readGates);
    this.meters = metrics.connections("resp", openConnections::get);
    this.commands = new RespCommands(cache, new ServerInfo(openConnections::get, version), metrics.readOutcomes("resp"));
  }

  /** @param shutdownDeadline how long open connections may take to answer what they have read */
  public CompletionStage<Tcp.ServerBinding> start(String host, int port, int backlog, Duration shutdownDeadline) {
    return Tcp.get(system)
        .bind(host, port, backlog, List.of(), false, Optional.empty())
        .to(Sink.foreach(this::accept))
        .run(system)
        .thenApply(binding -> {
          log.info("RESP front end listening on {}, backlog {}, idle timeout {}", binding.localAddress(), backlog,
              idleTimeout.isZero() ? "off" : idleTimeout);
          CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
          shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-resp",
              () -> binding.unbind().thenApply(unbound -> Done.getInstance()));
          shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "close-resp-connections",
              () -> readGates.closeAll().toCompletableFuture()
                  .completeOnTimeout(Done.getInstance(), shutdownDeadline.toMillis(), TimeUnit.MILLISECONDS));
          return binding;
        });
  }

  public int openConnections() {
    return openConnections.get();
  }

  private void accept(Tcp.IncomingConnection connection) {
    if (openConnections.incrementAndGet() > maxClients) {
      openConnections.decrementAndGet();
      meters.refused();
      connection.handleWith(Flow.fromSinkAndSourceCoupled(Sink.ignore(), Source.single(TOO_MANY_CLIENTS)), system);
      return;
    }
    RespSession session = new RespSession(nextClientId.incrementAndGet());
    connection.handleWith(
        connectionFlow(session).watchTermination((notUsed, done) -> {
          done.whenComplete((ok, failure) -> openConnections.decrementAndGet());
          return notUsed;
        }),
        system);
  }

  private Flow<ByteString, ByteString, NotUsed> connectionFlow(RespSession session) {
    return Flow.of(ByteString.class)
        .via(readGate)
        .statefulMap(() -> new RespParser(limits),
            (parser, bytes) -> Pair.create(parser, parser.feed(bytes)),
            parser -> Optional.empty())
        .filter(batch -> !batch.isEmpty())
        .mapAsync(BATCHES_IN_FLIGHT, batch -> commands.execute(session, batch))
        .map(commands::render)
        .takeWhile(reply -> !reply.close(), true)
        .map(RespReply::bytes);
  }
}
