package com.redisproxy.resp;

import com.redisproxy.cache.CacheStats;
import java.util.function.IntSupplier;

/** The proxy's own figures, as the {@code # Proxy} section of INFO (Redis's sections come from Redis). */
final class ServerInfo {
  /** The Redis version the proxy's own HELLO reply presents. */
  static final String REDIS_VERSION = "6.2.0";

  private final long startedAtMillis = System.currentTimeMillis();
  private final IntSupplier connectedClients;
  private final IntSupplier pinnedConnections;
  private final String proxyVersion;

  ServerInfo(IntSupplier connectedClients, IntSupplier pinnedConnections, String proxyVersion) {
    this.connectedClients = connectedClients;
    this.pinnedConnections = pinnedConnections;
    this.proxyVersion = proxyVersion;
  }

  String proxySection(CacheStats stats) {
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
        + "cache_capacity:" + stats.capacity() + "\r\n";
  }
}
