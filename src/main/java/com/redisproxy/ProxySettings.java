package com.redisproxy;

import com.redisproxy.auth.AuthSettings;
import com.redisproxy.auth.Password;
import com.redisproxy.auth.ProtectedMode;
import com.redisproxy.fetch.ReadFromSetting;
import com.redisproxy.fetch.RedisAddress;
import com.redisproxy.fetch.RedisTarget;
import com.redisproxy.resp.RespSettings;
import com.redisproxy.resp.codec.RespLimits;
import com.redisproxy.tls.FrontEndTls;
import com.typesafe.config.Config;
import io.lettuce.core.ReadFrom;
import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of the proxy, read and validated once at start-up.
 *
 * @param tls TLS for both front ends; empty means both speak plain TCP
 */
public record ProxySettings(
    String host,
    Http http,
    RespSettings resp,
    Optional<FrontEndTls> tls,
    int maxClients,
    int backlog,
    Duration askTimeout,
    Duration shutdownDeadline,
    Redis redis,
    Cache cache,
    AuthSettings auth) {

  /** @param onCacheThread the HTTP connections' streams run on the thread the CacheActor runs on */
  public record Http(int port, boolean accessLog, boolean onCacheThread) {}

  /** @param readFrom the node a miss is read from, in a Redis Cluster */
  public record Redis(
      RedisTarget target, Duration fetchTimeout, Duration connectTimeout, int fetcherPoolSize, int connections,
      ReadFrom readFrom) {}

  public record Cache(
      int capacity,
      Duration expiry,
      Duration sweepInterval,
      int maxValueBytes,
      int maxFetchesInFlight,
      int maxPendingRequests,
      boolean honourRedisTtl,
      boolean tracking) {

    /** Room for every admitted request, for each fetch's reply and a late one's, plus timers. */
    public int mailboxCapacity() {
      return maxPendingRequests + 2 * maxFetchesInFlight + 16;
    }
  }

  /** @throws InvalidSettingException naming the first setting that cannot be used */
  public static ProxySettings fromConfig(Config config) {
    SettingsReader read = new SettingsReader(config);
    String root = "redis-proxy.";
    String host = read.string(root + "host").trim();
    if (host.isEmpty()) throw read.invalid(root + "host", "is empty");
    Redis redis =
        new Redis(
            redisTarget(read, root + "redis.address"),
            read.duration(root + "redis.fetch-timeout"),
            read.duration(root + "redis.connect-timeout"),
            read.integer(root + "redis.fetcher-pool-size", 1, 1024),
            read.integer(root + "redis.connections", 1, 64),
            readFrom(read, root + "redis.read-from"));
    Cache cache =
        new Cache(
            read.integer(root + "cache.capacity", 0, Integer.MAX_VALUE),
            read.durationInSeconds(root + "cache.expiry"),
            read.duration(root + "cache.sweep-interval"),
            read.integer(root + "cache.max-value-bytes", 0, Integer.MAX_VALUE),
            read.integer(root + "cache.max-fetches-in-flight", 1, 10_000_000),
            read.integer(root + "cache.max-pending-requests", 1, 10_000_000),
            read.bool(root + "cache.honour-redis-ttl"),
            invalidationIsTracking(read, root + "cache.invalidation"));
    Duration askTimeout = read.duration(root + "ask-timeout");
    if (askTimeout.compareTo(redis.fetchTimeout()) <= 0) {
      throw read.invalid(root + "ask-timeout", "must be longer than redis.fetch-timeout (" + redis.fetchTimeout() + ")");
    }
    RespSettings resp = new RespSettings(
        read.port(root + "resp.port", true),
        new RespLimits(
            read.integer(root + "resp.max-bulk-bytes", 1, Integer.MAX_VALUE - 2),
            read.integer(root + "resp.max-array-length", 1, Integer.MAX_VALUE),
            read.integer(root + "resp.max-inline-bytes", 1, Integer.MAX_VALUE),
            read.integer(root + "resp.max-request-bytes", 1, Integer.MAX_VALUE)),
        read.durationInSecondsOrOff(root + "resp.idle-timeout"),
        read.integer(root + "resp.max-pinned-connections", 0, 1_000_000),
        java.util.Set.copyOf(read.names(root + "resp.refused-commands").stream()
            .map(name -> name.toLowerCase(java.util.Locale.ROOT)).toList()),
        read.durationInSecondsOrOff(root + "resp.forward-timeout"));
    int maxClients = read.integer(root + "max-clients", 1, Integer.MAX_VALUE);
    int backlog = read.integer(root + "backlog", 1, 65535);
    Duration shutdownDeadline = read.duration(root + "shutdown-deadline");
    if (shutdownDeadline.compareTo(Duration.ofSeconds(30)) > 0) {
      throw read.invalid(root + "shutdown-deadline", "must be at most 30s");
    }
    Http http = new Http(read.port(root + "http.port", false), read.bool(root + "http.access-log"),
        read.bool(root + "http.on-cache-thread"));
    AuthSettings auth = auth(read, root + "auth.");
    if (ProtectedMode.refuses(host, auth)) {
      throw read.invalid(root + "host", "'" + host + "' is not a loopback address and no password is set"
          + " (protected mode): set PROXY_PASSWORD, or PROXY_PROTECTED_MODE=off to serve without one");
    }
    Optional<FrontEndTls> tls = FrontEndTlsSetting.read(read);
    return new ProxySettings(host, http, resp, tls, maxClients, backlog, askTimeout, shutdownDeadline, redis, cache, auth);
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
