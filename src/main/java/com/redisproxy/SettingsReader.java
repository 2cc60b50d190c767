package com.redisproxy;

import com.redisproxy.cache.settings.KeyRules;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.time.Duration;
import java.util.Locale;
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
          Map.entry("redis-proxy.resp.tracked-keys-per-client", "PROXY_RESP_TRACKED_KEYS_PER_CLIENT"),
          Map.entry("redis-proxy.tls.cert-file", "PROXY_TLS_CERT_FILE"),
          Map.entry("redis-proxy.tls.key-file", "PROXY_TLS_KEY_FILE"),
          Map.entry("redis-proxy.cache.max-value-bytes", "CACHE_MAX_VALUE_BYTES"),
          Map.entry("redis-proxy.max-clients", "PROXY_MAX_CLIENTS"),
          Map.entry("redis-proxy.backlog", "PROXY_BACKLOG"),
          Map.entry("redis-proxy.resp.idle-timeout", "PROXY_RESP_IDLE_TIMEOUT"),
          Map.entry("redis-proxy.resp.max-pinned-connections", "PROXY_RESP_MAX_PINNED_CONNECTIONS"),
          Map.entry("redis-proxy.resp.refused-commands", "PROXY_RESP_REFUSED_COMMANDS"),
          Map.entry("redis-proxy.resp.forward-timeout", "PROXY_RESP_FORWARD_TIMEOUT"),
          Map.entry("redis-proxy.resp.max-reading-bytes", "PROXY_RESP_MAX_READING_BYTES"),
          Map.entry("redis-proxy.redis.address", "REDIS_ADDRESS"),
          Map.entry("redis-proxy.redis.fetch-timeout", "REDIS_FETCH_TIMEOUT"),
          Map.entry("redis-proxy.redis.read-from", "REDIS_READ_FROM"),
          Map.entry("redis-proxy.cache.capacity", "CACHE_CAPACITY"),
          Map.entry("redis-proxy.cache.rules", "CACHE_RULES"),
          Map.entry("redis-proxy.cache.max-bytes", "CACHE_MAX_BYTES"),
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
  List<String> names(String path) {
    try {
      if (config.getValue(path).valueType() == ConfigValueType.LIST) return config.getStringList(path);
      return Arrays.stream(config.getString(path).split("[,\\s]+")).filter(name -> !name.isEmpty()).toList();
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

  /** A byte count from 1 on, or "auto" for {@code auto}. */
  long bytesOrAuto(String path, long auto) {
    String raw = raw(path);
    if (raw.equalsIgnoreCase("auto")) return auto;
    try {
      long value = Long.parseLong(raw);
      if (value >= 1) return value;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw invalid(path, "'" + raw + "' is neither a number of bytes from 1 on nor auto");
  }

  boolean bool(String path) {
    String raw = raw(path).toLowerCase(Locale.ROOT);
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

  /**
   * The cache's rules by key pattern: a HOCON list of {@code {keys = "glob", cache = off}} and
   * {@code {keys = "glob", expiry = 3600s}} objects, or (from the environment) one string of
   * {@code glob=off} and {@code glob=<expiry>} separated by semicolons. First match wins.
   */
  List<KeyRules.Rule> keyRules(String path) {
    ConfigValue value;
    try {
      value = config.getValue(path);
    } catch (ConfigException e) {
      throw invalid(path, "is missing");
    }
    List<KeyRules.Rule> rules = new ArrayList<>();
    if (value.valueType() == ConfigValueType.STRING) {
      for (String rule : ((String) value.unwrapped()).split(";")) {
        if (rule.isBlank()) continue;
        int equals = rule.lastIndexOf('=');
        if (equals <= 0) throw invalid(path, "'" + rule.trim() + "' is not glob=off or glob=<expiry>");
        rules.add(rule(path, rule.substring(0, equals).trim(), rule.substring(equals + 1).trim()));
      }
      return rules;
    }
    if (value.valueType() != ConfigValueType.LIST) throw invalid(path, "must be a list of {keys = ..., cache = off | expiry = ...}");
    for (ConfigValue element : (ConfigList) value) {
      if (element.valueType() != ConfigValueType.OBJECT) throw invalid(path, "each rule is {keys = \"glob\", cache = off} or {keys = \"glob\", expiry = 3600s}");
      Config rule = ((ConfigObject) element).toConfig();
      if (!rule.hasPath("keys")) throw invalid(path, "a rule without keys = \"glob\"");
      String does = rule.hasPath("cache") ? "off" : null;
      if (does != null && !rule.getString("cache").equalsIgnoreCase("off")) throw invalid(path, "cache = off is the only cache = ...");
      if (does == null && !rule.hasPath("expiry")) throw invalid(path, "rule for '" + rule.getString("keys") + "' says neither cache = off nor expiry");
      rules.add(rule(path, rule.getString("keys"), does != null ? "off" : String.valueOf(rule.getValue("expiry").unwrapped())));
    }
    return rules;
  }

  private KeyRules.Rule rule(String path, String pattern, String does) {
    if (pattern.isEmpty()) throw invalid(path, "a rule with an empty pattern");
    if (does.equalsIgnoreCase("off")) return KeyRules.Rule.notCached(pattern);
    Duration expiry;
    try {
      expiry = Duration.ofNanos(Math.round(Double.parseDouble(does) * 1e9));
    } catch (NumberFormatException notSeconds) {
      try {
        expiry = ConfigFactory.parseString("d = " + does).getDuration("d");
      } catch (ConfigException e) {
        throw invalid(path, "'" + does + "' for '" + pattern + "' is neither off nor an expiry such as 3600 or 1h");
      }
    }
    if (expiry.isNegative() || expiry.isZero()) throw invalid(path, "the expiry for '" + pattern + "' must be greater than zero");
    return KeyRules.Rule.cachedFor(pattern, expiry);
  }

  /** A size in bytes: a plain number, or HOCON's sizes (64MiB, 512k); zero allowed (caches nothing). */
  long bytes(String path) {
    try {
      long value = config.getBytes(path);
      if (value >= 0) return value;
    } catch (ConfigException e) {
      // reported below
    }
    throw invalid(path, "'" + raw(path) + "' is not a size in bytes such as 67108864 or 64MiB");
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
