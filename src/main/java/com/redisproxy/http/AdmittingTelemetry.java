package com.redisproxy.http;

import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.http.impl.engine.http2.TelemetrySpi;
import org.apache.pekko.http.scaladsl.model.HttpRequest;
import org.apache.pekko.http.scaladsl.model.HttpResponse;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.scaladsl.BidiFlow;
import org.apache.pekko.stream.scaladsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * Every TCP connection pekko-http's HTTP/2-capable server accepts, before its HTTP layers are
 * joined to it: counted against the client limit (and marked refused when over it), and put on
 * the dispatcher the HTTP streams run on. {@code newServerAt(...).bind(handler)} is the only binding
 * that serves HTTP/2, and it hands us no connection; this hook is pekko-http's one place that sees
 * them (a stable SPI, meant for telemetry), named in proxy-pekko.conf by
 * {@code pekko.http.http2-telemetry-class}. pekko-http creates it once per actor system.
 */
public final class AdmittingTelemetry implements TelemetrySpi {
  private final Installed installed;

  public AdmittingTelemetry(ActorSystem system) {
    this.installed = INSTALLED.get(system);
    installed.created = true;
  }

  /** Which limit and dispatcher the hook applies, set by {@link HttpServer} before it binds. */
  static final class Installed implements Extension {
    volatile ClientLimit limit;
    volatile Optional<String> dispatcher = Optional.empty();
    // pekko-http falls back to no hook, silently, when this class cannot be made: HttpServer checks.
    volatile boolean created;
  }

  static final AbstractExtensionId<Installed> INSTALLED = new AbstractExtensionId<>() {
    @Override
    public Installed createExtension(ExtendedActorSystem system) {
      return new Installed();
    }
  };

  @Override
  public org.apache.pekko.stream.scaladsl.Flow<Tcp.IncomingConnection, Tcp.IncomingConnection, NotUsed> serverBinding() {
    return Flow.<Tcp.IncomingConnection>create().map(this::admit).asScala();
  }

  private Tcp.IncomingConnection admit(Tcp.IncomingConnection incoming) {
    ClientLimit limit = installed.limit;
    if (limit == null) return incoming; // a server of pekko-http's that is not the proxy's front end
    Flow<ByteString, ByteString, NotUsed> flow = incoming.flow().asJava();
    if (limit.admit()) {
      flow = flow.watchTermination((notUsed, ended) -> {
        limit.releaseWhen(ended);
        return notUsed;
      });
    } else {
      flow = flow.watchTermination((notUsed, ended) -> {
        limit.refuse(incoming.remoteAddress(), ended);
        return notUsed;
      });
    }
    // pekko-http gives the connection's HTTP layers the attributes of this flow (with a hook installed).
    Optional<String> dispatcher = installed.dispatcher;
    if (dispatcher.isPresent()) flow = flow.addAttributes(ActorAttributes.dispatcher(dispatcher.get()));
    return new Tcp.IncomingConnection(incoming.localAddress(), incoming.remoteAddress(), flow.asScala());
  }

  @Override
  public BidiFlow<HttpRequest, HttpRequest, HttpResponse, HttpResponse, NotUsed> client() {
    return BidiFlow.identity();
  }

  @Override
  public BidiFlow<HttpResponse, HttpResponse, HttpRequest, HttpRequest, NotUsed> serverConnection() {
    return BidiFlow.identity();
  }
}
