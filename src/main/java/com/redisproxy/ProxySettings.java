package com.redisproxy;

import com.redisproxy.auth.AuthSettings;
import com.redisproxy.auth.Password;
import com.redisproxy.auth.ProtectedMode;
import com.redisproxy.auth.acl.RedisGlob;
import com.redisproxy.cache.settings.CacheSettings;
import com.redisproxy.cache.settings.KeyRules;
import com.redisproxy.fetch.FetchSettings;
import com.redisproxy.fetch.location.ReadFromSetting;
import com.redisproxy.fetch.location.RedisAddress;
import com.redisproxy.fetch.location.RedisTarget;
import com.redisproxy.http.HttpSettings;
import com.redisproxy.resp.RespSettings;
import com.redisproxy.resp.codec.RespLimits;
import com.redisproxy.tls.FrontEndTls;
import com.typesafe.config.Config;
import io.lettuce.core.ReadFrom;
import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of the proxy, read and validated once at start-up: one record per room, and what
 * both front ends share.
 *
 * @param tls TLS for both front ends; empty means both speak plain TCP
 */
public record ProxySettings(
    String host,
    int maxClients,
    int backlog,
    Duration shutdownDeadline,
    Optional<FrontEndTls> tls,
    AuthSettings auth,
    HttpSettings http,
    RespSettings resp,
    FetchSettings fetch,
    CacheSettings cache) {

  private static final String ROOT = "redis-proxy.";

  /** @throws InvalidSettingException naming the first setting that cannot be used */
  public static ProxySettings fromConfig(Config config) {
    SettingsReader read = new SettingsReader(config);
    String host = read.string(ROOT + "host").trim();
    if (host.isEmpty()) throw read.invalid(ROOT + "host", "is empty");
    FetchSettings fetch = fetch(read);
    CacheSettings cache = cache(read, fetch);
    RespSettings resp = resp(read, fetch.connectTimeout());
    int maxClients = read.integer(ROOT + "max-clients", 1, Integer.MAX_VALUE);
    int backlog = read.integer(ROOT + "backlog", 1, 65535);
    Duration shutdownDeadline = read.duration(ROOT + "shutdown-deadline");
    if (shutdownDeadline.compareTo(Duration.ofSeconds(30)) > 0) {
      throw read.invalid(ROOT + "shutdown-deadline", "must be at most 30s");
    }
    HttpSettings http = new HttpSettings(read.port(ROOT + "http.port", false), read.bool(ROOT + "http.access-log"),
        read.bool(ROOT + "http.on-cache-thread"), read.bool(ROOT + "http.h2c"), read.bool(ROOT + "http.h2"));
    AuthSettings auth = auth(read, ROOT + "auth.");
    if (ProtectedMode.refuses(host, auth)) {
      // Allowed while Redis itself requires authentication (Main asks it before starting); not in front of a cluster.
      if (!(fetch.target() instanceof RedisTarget.Standalone)) throw protectedMode(read, host);
      auth = auth.refusingAnonymous();
    }
    Optional<FrontEndTls> tls = FrontEndTlsSetting.read(read);
    return new ProxySettings(host, maxClients, backlog, shutdownDeadline, tls, auth, http, resp, fetch, cache);
  }

  private static InvalidSettingException protectedMode(SettingsReader read, String host) {
    return read.invalid(ROOT + "host", "'" + host + "' is not a loopback address and no password is set"
        + " (protected mode): set PROXY_PASSWORD, or PROXY_PROTECTED_MODE=off to serve without one");
  }

  /**
   * Protected mode's last word, once Redis was asked: serving beyond loopback without a password
   * of the proxy's own is refused unless Redis itself requires authentication.
   */
  public static void checkProtectedMode(Config config, ProxySettings settings) {
    if (!settings.auth().anonymousRefused()) return;
    RedisTarget.Standalone redis = (RedisTarget.Standalone) settings.fetch().target();
    if (!com.redisproxy.fetch.RedisAuthProbe.requiresAuthentication(redis.uri(), settings.fetch().connectTimeout())) {
      SettingsReader read = new SettingsReader(config);
      InvalidSettingException refused = protectedMode(read, settings.host());
      throw new InvalidSettingException(refused.getMessage().replace(" (protected mode)",
          " (protected mode) and the backing Redis requires no authentication either"));
    }
  }

  // honour-redis-ttl and invalidation are cache.* keys, but it is the fetch path that acts on them.
  private static FetchSettings fetch(SettingsReader read) {
    String redis = ROOT + "redis.";
    RedisTarget target = redisTarget(read, redis + "address");
    Duration fetchTimeout = read.duration(redis + "fetch-timeout");
    Duration connectTimeout = read.duration(redis + "connect-timeout");
    int fetcherPoolSize = read.integer(redis + "fetcher-pool-size", 1, 1024);
    int connections = read.integer(redis + "connections", 1, 64);
    ReadFrom readFrom = readFrom(read, redis + "read-from");
    return new FetchSettings(target, fetchTimeout, connectTimeout, fetcherPoolSize, connections, readFrom,
        read.bool(ROOT + "cache.honour-redis-ttl"), invalidationIsTracking(read, ROOT + "cache.invalidation"),
        invalidationLease(read, ROOT + "cache.invalidation-lease"));
  }

  private static Duration invalidationLease(SettingsReader read, String path) {
    Duration lease = read.duration(path);
    if (lease.compareTo(Duration.ofMillis(100)) < 0) throw read.invalid(path, "must be at least 100ms");
    return lease;
  }

  private static CacheSettings cache(SettingsReader read, FetchSettings fetch) {
    String cache = ROOT + "cache.";
    Duration fetchTimeout = fetch.fetchTimeout();
    // Without tracking there is nothing to hold a lease on; the opt-in gives the bound up.
    boolean leaseGuardsHits = fetch.tracking() && !read.bool(cache + "serve-stale-without-lease");
    int capacity = read.integer(cache + "capacity", 0, Integer.MAX_VALUE);
    long maxBytes = read.bytes(cache + "max-bytes");
    Duration expiry = read.durationInSeconds(cache + "expiry");
    Duration sweepInterval = read.duration(cache + "sweep-interval");
    int maxValueBytes = read.integer(cache + "max-value-bytes", 0, Integer.MAX_VALUE);
    int maxFetchesInFlight = read.integer(cache + "max-fetches-in-flight", 1, 10_000_000);
    int maxPendingRequests = read.integer(cache + "max-pending-requests", 1, 10_000_000);
    Duration askTimeout = read.duration(ROOT + "ask-timeout");
    if (askTimeout.compareTo(fetchTimeout) <= 0) {
      throw read.invalid(ROOT + "ask-timeout", "must be longer than redis.fetch-timeout (" + fetchTimeout + ")");
    }
    KeyRules rules = new KeyRules(read.keyRules(cache + "rules"), RedisGlob::matches);
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, fetch.tracking(), leaseGuardsHits ? fetch.invalidationLease() : Duration.ZERO, rules);
  }

  private static RespSettings resp(SettingsReader read, Duration connectTimeout) {
    String resp = ROOT + "resp.";
    return new RespSettings(
        read.port(resp + "port", true),
        new RespLimits(
            read.integer(resp + "max-bulk-bytes", 1, Integer.MAX_VALUE - 2),
            read.integer(resp + "max-array-length", 1, Integer.MAX_VALUE),
            read.integer(resp + "max-inline-bytes", 1, Integer.MAX_VALUE),
            read.integer(resp + "max-request-bytes", 1, Integer.MAX_VALUE),
            read.bytesOrAuto(resp + "max-reading-bytes", RespLimits.defaultReadingBytes())),
        read.durationInSecondsOrOff(resp + "idle-timeout"),
        read.integer(resp + "max-pinned-connections", 0, 1_000_000),
        java.util.Set.copyOf(read.names(resp + "refused-commands").stream()
            .map(name -> name.toLowerCase(java.util.Locale.ROOT)).toList()),
        read.durationInSecondsOrOff(resp + "forward-timeout"),
        connectTimeout,
        read.integer(resp + "event-loops", 1, 256),
        read.integer(resp + "tracked-keys-per-client", 1, 10_000_000));
  }

  private static AuthSettings auth(SettingsReader read, String path) {
    // The password is read as written: spaces are part of it, and no message ever quotes it.
    AuthSettings auth = new AuthSettings(
        Password.fromSetting(read.string(path + "password")), read.bool(path + "metrics"), read.bool(path + "protected-mode"));
    if (auth.metricsNeedPassword() && !auth.required()) {
      throw read.invalid(path + "metrics", "is on, but no PROXY_PASSWORD is set to ask for");
    }
    return auth;
  }

  private static boolean invalidationIsTracking(SettingsReader read, String path) {
    String mode = read.string(path).trim().toLowerCase(java.util.Locale.ROOT);
    return switch (mode) {
      case "tracking" -> true;
      case "none" -> false;
      default -> throw read.invalid(path, "'" + mode + "' is not none or tracking");
    };
  }

  private static RedisTarget redisTarget(SettingsReader read, String path) {
    try {
      return RedisAddress.parseTarget(read.string(path));
    } catch (IllegalArgumentException e) {
      throw read.invalid(path, e.getMessage());
    }
  }

  private static ReadFrom readFrom(SettingsReader read, String path) {
    try {
      return ReadFromSetting.parse(read.string(path));
    } catch (IllegalArgumentException e) {
      throw read.invalid(path, e.getMessage());
    }
  }
}
