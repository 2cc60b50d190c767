package com.redisproxy.resp;

import com.redisproxy.cache.CacheStats;
import java.util.List;
import java.util.function.IntSupplier;

/** The proxy's own figures, in the shape of Redis's INFO reply. */
final class ServerInfo {
  /** The Redis version the proxy presents to clients that check one. */
  static final String REDIS_VERSION = "6.2.0";

  static final List<String> COMMANDS =
      List.of("get", "mget", "ping", "echo", "quit", "auth", "hello", "command", "client", "select", "info", "config");

  private final long startedAtMillis = System.currentTimeMillis();
  private final IntSupplier connectedClients;
  private final String proxyVersion;

  ServerInfo(IntSupplier connectedClients, String proxyVersion) {
    this.connectedClients = connectedClients;
    this.proxyVersion = proxyVersion;
  }

  String report(String section, CacheStats stats) {
    boolean all = section.equals("default") || section.equals("all") || section.equals("everything");
    StringBuilder out = new StringBuilder();
    if (all || section.equals("server")) {
      out.append("# Server\r\n")
          .append("redis_version:").append(REDIS_VERSION).append("\r\n")
          .append("proxy:redis-proxy ").append(proxyVersion).append("\r\n")
          .append("redis_mode:standalone\r\n")
          .append("uptime_in_seconds:").append((System.currentTimeMillis() - startedAtMillis) / 1000).append("\r\n\r\n");
    }
    if (all || section.equals("clients")) {
      out.append("# Clients\r\nconnected_clients:").append(connectedClients.getAsInt()).append("\r\n\r\n");
    }
    if (all || section.equals("stats")) {
      out.append("# Stats\r\n")
          .append("keyspace_hits:").append(stats.hits()).append("\r\n")
          .append("keyspace_misses:").append(stats.misses()).append("\r\n")
          .append("evicted_keys:").append(stats.evictions()).append("\r\n")
          .append("expired_keys:").append(stats.expirations()).append("\r\n")
          .append("coalesced_misses:").append(stats.coalescedMisses()).append("\r\n")
          .append("fetches_in_flight:").append(stats.fetchesInFlight()).append("\r\n")
          .append("invalidation_messages:").append(stats.invalidationMessages()).append("\r\n")
          .append("invalidated_keys:").append(stats.keysInvalidated()).append("\r\n")
          .append("full_clears:").append(stats.fullClears()).append("\r\n")
          .append("cache_restarts:").append(stats.restarts()).append("\r\n\r\n");
    }
    if (all || section.equals("keyspace")) {
      out.append("# Keyspace\r\n")
          .append("cached_keys:").append(stats.size()).append("\r\n")
          .append("cache_capacity:").append(stats.capacity()).append("\r\n");
    }
    return out.toString();
  }
}
