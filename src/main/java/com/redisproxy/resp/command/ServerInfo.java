package com.redisproxy.resp.command;

import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.store.HotKeys;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.apache.pekko.util.ByteString;

/**
 * The proxy's own figures, as the {@code # Proxy} section of INFO (Redis's sections come from
 * Redis), and the backing Redis's version, which the proxy's HELLO presents as Redis's would.
 */
public final class ServerInfo {
  /** The version HELLO presents until the backing Redis has told its own. */
  static final String ASSUMED_REDIS_VERSION = "6.2.0";
  private static final String VERSION_FIELD = "redis_version:";

  private volatile String redisVersion = ASSUMED_REDIS_VERSION;

  private final long startedAtMillis = System.currentTimeMillis();
  private final IntSupplier connectedClients;
  private final IntSupplier pinnedConnections;
  private final String proxyVersion;

  public ServerInfo(IntSupplier connectedClients, IntSupplier pinnedConnections, String proxyVersion) {
    this.connectedClients = connectedClients;
    this.pinnedConnections = pinnedConnections;
    this.proxyVersion = proxyVersion;
  }

  String redisVersion() {
    return redisVersion;
  }

  /** Takes the version from Redis's reply to {@code INFO server}; any other reply changes nothing. */
  public void learnRedisVersion(ByteString infoReply) {
    versionIn(infoReply.utf8String()).ifPresent(version -> redisVersion = version);
  }

  static Optional<String> versionIn(String info) {
    int at = info.indexOf(VERSION_FIELD);
    if (at < 0) return Optional.empty();
    int end = info.indexOf('\r', at);
    return Optional.of(info.substring(at + VERSION_FIELD.length(), end < 0 ? info.length() : end).trim());
  }

  /** @param shownKeys the hot keys named: those the client may read */
  String proxySection(CacheStats stats, Predicate<byte[]> shownKeys) {
    return "# Proxy\r\n"
        + "proxy_version:" + proxyVersion + "\r\n"
        + "proxy_uptime_in_seconds:" + (System.currentTimeMillis() - startedAtMillis) / 1000 + "\r\n"
        + "proxy_connected_clients:" + connectedClients.getAsInt() + "\r\n"
        + "proxy_pinned_connections:" + pinnedConnections.getAsInt() + "\r\n"
        + "cache_hits:" + stats.hits() + "\r\n"
        + "cache_misses:" + stats.misses() + "\r\n"
        + "cache_evicted_keys:" + stats.evictions() + "\r\n"
        + "cache_expired_keys:" + stats.expirations() + "\r\n"
        + "cache_coalesced_misses:" + stats.coalescedMisses() + "\r\n"
        + "cache_fetches_in_flight:" + stats.fetchesInFlight() + "\r\n"
        + "cache_invalidation_messages:" + stats.invalidationMessages() + "\r\n"
        + "cache_invalidated_keys:" + stats.keysInvalidated() + "\r\n"
        + "cache_full_clears:" + stats.fullClears() + "\r\n"
        + "cache_restarts:" + stats.restarts() + "\r\n"
        + "cached_keys:" + stats.size() + "\r\n"
        + "cache_capacity:" + stats.capacity() + "\r\n"
        + "cache_bytes:" + stats.bytes() + "\r\n"
        + "cache_max_bytes:" + stats.maxBytes() + "\r\n"
        + hotKeyLines(stats, shownKeys);
  }

  // The key last on its line, escaped as redis-cli quotes it: its commas cannot be taken for fields.
  private static String hotKeyLines(CacheStats stats, Predicate<byte[]> shownKeys) {
    StringBuilder lines = new StringBuilder()
        .append(String.format(Locale.ROOT, "cache_hot_keys_read_share:%.4f\r\n", stats.hotKeysShare()));
    int rank = 1;
    for (HotKeys.HotKey hot : stats.hotKeys()) {
      if (!shownKeys.test(hot.key())) continue;
      lines.append("cache_hot_key_").append(rank++).append(":reads=").append(hot.reads())
          .append(",max_overcount=").append(hot.maxOvercount()).append(",key=").append(KeyText.quoted(hot.key())).append("\r\n");
    }
    return lines.toString();
  }
}
