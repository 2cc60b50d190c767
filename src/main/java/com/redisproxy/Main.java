package com.redisproxy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/** Loads and validates the configuration, then starts the actor system with the Guardian. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    // Netty samples one buffer in 128 for leak reports, each with a stack trace: 2-3% of the CPU a
    // forwarded write costs (async-profiler). Off unless asked for (-Dio.netty.leakDetection.level=simple).
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    Config config;
    ProxySettings settings;
    try {
      config = loadConfig();
      settings = ProxySettings.fromConfig(config);
      ProxySettings.checkProtectedMode(config, settings);
    } catch (InvalidSettingException | ConfigException e) {
      System.err.println("redis-proxy: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    } catch (IllegalStateException e) {
      System.err.println("redis-proxy: protected mode: " + e.getMessage());
      System.exit(2);
      return;
    }
    CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(Guardian.create(settings, exitCode), "redis-proxy", config);
    shutDownGracefullyOn(system, "TERM", "INT");
    system.getWhenTerminated().toCompletableFuture().join();
    System.exit(exitCode.getNow(0));
  }

  /**
   * A signal runs Pekko's coordinated shutdown (stop accepting, answer what is in flight, close
   * Redis) and the process then exits 0: with the JVM's own handling it would exit 143.
   */
  @SuppressWarnings("removal")
  private static void shutDownGracefullyOn(ActorSystem<Void> system, String... signals) {
    for (String name : signals) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
        system.log().info("SIG{} received: shutting down", name);
        CoordinatedShutdown.get(system).run(SignalReceived.INSTANCE);
      });
    }
  }

  private enum SignalReceived implements CoordinatedShutdown.Reason {
    INSTANCE
  }

  /** The version in the jar's manifest; "dev" when run from classes. */
  static String version() {
    String version = Main.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** application.conf (or -Dconfig.file), then our choices for Pekko, then every reference.conf. */
  static Config loadConfig() {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.defaultOverrides()
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResources("proxy-pekko.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
