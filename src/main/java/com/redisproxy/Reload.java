package com.redisproxy;

import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.settings.CacheSettings;
import com.typesafe.config.ConfigException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP reads the configuration again (application.conf or -Dconfig.file; the environment a
 * process was started with cannot change) and applies what may change while serving: the cache's
 * capacity, byte budget, expiry and rules, and the client limit. A configuration that does not validate is logged and
 * changes nothing. The client limit changes too: a lowered limit refuses new connections until the
 * open ones are fewer, and closes none. Everything else needs a restart.
 */
final class Reload {
  private static final Logger log = LoggerFactory.getLogger(Reload.class);

  private Reload() {}

  static void onSighup(ActorRef<CacheActor.Command> cache, AtomicInteger clientLimit) {
    Signal.handle(new Signal("HUP"), signal -> reload(cache, clientLimit));
  }

  private static void reload(ActorRef<CacheActor.Command> cache, AtomicInteger clientLimit) {
    ProxySettings reloaded;
    // The JVM's signal thread has no context class loader, which Typesafe Config looks files up with.
    Thread.currentThread().setContextClassLoader(Reload.class.getClassLoader());
    try {
      reloaded = ProxySettings.fromConfig(Main.loadConfig());
    } catch (InvalidSettingException | ConfigException invalid) {
      log.error("SIGHUP: the configuration is not valid, nothing changed: {}", invalid.getMessage());
      return;
    }
    CacheSettings cacheNow = reloaded.cache();
    cache.tell(new CacheActor.Reconfigure(cacheNow));
    clientLimit.set(reloaded.maxClients());
    log.info("SIGHUP: cache capacity {} keys, max-bytes {}, expiry {}, rules {}, max-clients {} (other settings apply at the next restart)",
        cacheNow.capacity(), cacheNow.maxBytes(), cacheNow.expiry(), cacheNow.rules(), reloaded.maxClients());
  }
}
