package com.redisproxy.bench;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * pekko-http's own ceiling, for bench/ab-connect.sh: a server with the proxy's Pekko settings
 * (proxy-pekko.conf) and nothing else, answering every request with one prebuilt 100-byte
 * response from {@code bindSync} (no routes, no cache, no actor). HTTP/2 (h2c) when the second
 * argument is "h2c". Usage: BarePekkoHttp PORT [h2c]
 */
public final class BarePekkoHttp {
  private BarePekkoHttp() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    boolean h2c = args.length > 1 && args[1].equals("h2c");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bare",
        ConfigFactory.parseResources("proxy-pekko.conf").withFallback(ConfigFactory.load()));
    HttpResponse answer = HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, "x".repeat(100).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    Http.get(system).newServerAt("127.0.0.1", port)
        .adaptSettings(settings -> settings.withBacklog(1024).withEnableHttp2(h2c))
        .bindSync(request -> answer);
  }
}
