package com.redisproxy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Map;

/** Reads typed values out of Config, failing with one line that names the setting and its env variable. */
final class SettingsReader {

  private static final Map<String, String> ENV_NAMES =
      Map.ofEntries(
          Map.entry("redis-proxy.host", "PROXY_HOST"),
          Map.entry("redis-proxy.http.port", "PROXY_PORT"),
          Map.entry("redis-proxy.resp.port", "PROXY_RESP_PORT"),
          Map.entry("redis-proxy.http.access-log", "PROXY_ACCESS_LOG"),
          Map.entry("redis-proxy.http.on-cache-thread", "PROXY_HTTP_ON_CACHE_THREAD"),
          Map.entry("redis-proxy.http.h2c", "PROXY_HTTP_H2C"),
          Map.entry("redis-proxy.http.h2", "PROXY_HTTP_H2"),
          Map.entry("redis-proxy.resp.event-loops", "PROXY_RESP_EVENT_LOOPS"),
          Map.entry("redis-proxy.tls.cert-file", "PROXY_TLS_CERT_FILE"),
          Map.entry("redis-proxy.tls.key-file", "PROXY_TLS_KEY_FILE"),
          Map.entry("redis-proxy.cache.max-value-bytes", "CACHE_MAX_VALUE_BYTES"),
          Map.entry("redis-proxy.max-clients", "PROXY_MAX_CLIENTS"),
          Map.entry("redis-proxy.backlog", "PROXY_BACKLOG"),
          Map.entry("redis-proxy.resp.idle-timeout", "PROXY_RESP_IDLE_TIMEOUT"),
          Map.entry("redis-proxy.resp.max-pinned-connections", "PROXY_RESP_MAX_PINNED_CONNECTIONS"),
          Map.entry("redis-proxy.resp.refused-commands", "PROXY_RESP_REFUSED_COMMANDS"),
          Map.entry("redis-proxy.resp.forward-timeout", "PROXY_RESP_FORWARD_TIMEOUT"),
          Map.entry("redis-proxy.redis.address", "REDIS_ADDRESS"),
          Map.entry("redis-proxy.redis.fetch-timeout", "REDIS_FETCH_TIMEOUT"),
          Map.entry("redis-proxy.redis.read-from", "REDIS_READ_FROM"),
          Map.entry("redis-proxy.cache.capacity", "CACHE_CAPACITY"),
          Map.entry("redis-proxy.cache.expiry", "GLOBAL_CACHE_EXPIRY"),
          Map.entry("redis-proxy.cache.honour-redis-ttl", "CACHE_HONOUR_REDIS_TTL"),
          Map.entry("redis-proxy.cache.invalidation", "CACHE_INVALIDATION"),
          Map.entry("redis-proxy.cache.invalidation-lease", "CACHE_INVALIDATION_LEASE"),
          Map.entry("redis-proxy.cache.serve-stale-without-lease", "CACHE_SERVE_STALE_WITHOUT_LEASE"),
          Map.entry("redis-proxy.auth.password", "PROXY_PASSWORD"),
          Map.entry("redis-proxy.auth.metrics", "PROXY_METRICS_AUTH"),
          Map.entry("redis-proxy.auth.protected-mode", "PROXY_PROTECTED_MODE"));

  private final Config config;

  SettingsReader(Config config) {
    this.config = config;
  }

  String string(String path) {
    try {
      return config.getString(path);
    } catch (ConfigException e) {
      throw invalid(path, "missing or not a string");
    }
  }

  /** A list of names, written as a HOCON list or (from the environment) one string separated by commas or spaces. */
  java.util.List<String> names(String path) {
    try {
      if (config.getValue(path).valueType() == com.typesafe.config.ConfigValueType.LIST) return config.getStringList(path);
      return java.util.Arrays.stream(config.getString(path).split("[,\\s]+")).filter(name -> !name.isEmpty()).toList();
    } catch (ConfigException e) {
      throw invalid(path, "missing, or not a list of names");
    }
  }

  int integer(String path, int min, int max) {
    String raw = raw(path);
    try {
      int value = Integer.parseInt(raw);
      if (value >= min && value <= max) return value;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw invalid(path, "'" + raw + "' is not an integer from " + min + " to " + max);
  }

  boolean bool(String path) {
    String raw = raw(path).toLowerCase(java.util.Locale.ROOT);
    return switch (raw) {
      case "on", "true", "yes", "1" -> true;
      case "off", "false", "no", "0" -> false;
      default -> throw invalid(path, "'" + raw + "' is not on/off");
    };
  }

  int port(String path, boolean zeroDisables) {
    return integer(path, zeroDisables ? 0 : 1, 65535);
  }

  /** A positive duration; a bare number means seconds (as GLOBAL_CACHE_EXPIRY always did). */
  Duration durationInSeconds(String path) {
    Duration value = secondsOrDuration(path);
    if (value.isNegative() || value.isZero()) throw invalid(path, "'" + raw(path) + "' must be greater than zero");
    return value;
  }

  /** As {@link #durationInSeconds}, but zero is allowed and means off (as Redis's {@code timeout 0}). */
  Duration durationInSecondsOrOff(String path) {
    Duration value = secondsOrDuration(path);
    if (value.isNegative()) throw invalid(path, "'" + raw(path) + "' must be 0 (off) or more");
    return value;
  }

  private Duration secondsOrDuration(String path) {
    String raw = raw(path);
    Duration value;
    try {
      value = Duration.ofNanos(Math.round(Double.parseDouble(raw) * 1e9));
    } catch (NumberFormatException notANumber) {
      try {
        value = config.getDuration(path);
      } catch (ConfigException e) {
        throw invalid(path, "'" + raw + "' is not a number of seconds or a duration such as 1500ms");
      }
    }
    return value;
  }

  /** A positive duration written the HOCON way (2s, 500ms). */
  Duration duration(String path) {
    Duration value;
    try {
      value = config.getDuration(path);
    } catch (ConfigException e) {
      throw invalid(path, "'" + raw(path) + "' is not a duration such as 2s or 500ms");
    }
    if (value.isNegative() || value.isZero()) throw invalid(path, "must be greater than zero");
    return value;
  }

  InvalidSettingException invalid(String path, String problem) {
    String env = ENV_NAMES.get(path);
    String name = env == null ? path : env + " (" + path + ")";
    return new InvalidSettingException(name + ": " + problem);
  }

  private String raw(String path) {
    try {
      return String.valueOf(config.getValue(path).unwrapped()).trim();
    } catch (ConfigException e) {
      throw invalid(path, "is missing");
    }
  }
}
