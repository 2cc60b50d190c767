package com.redisproxy.fetch;

import io.lettuce.core.ReadFrom;
import java.time.Duration;

/**
 * What the fetch path needs, read from {@code redis-proxy.redis} and the cache's
 * {@code honour-redis-ttl} and {@code invalidation}.
 *
 * @param connections pipelined connections the fetchers share (one Redis or a Sentinel's master)
 * @param readFrom the node a miss is read from, in a Redis Cluster
 * @param readTtl each miss reads the key's PTTL with its value
 * @param tracking Redis tells the proxy which keys changed (CLIENT TRACKING)
 * @param invalidationLease with tracking, how long a connection may go without answering a PING
 *     before its invalidations are taken as lost and it is replaced
 */
public record FetchSettings(
    RedisTarget target,
    Duration fetchTimeout,
    Duration connectTimeout,
    int fetcherPoolSize,
    int connections,
    ReadFrom readFrom,
    boolean readTtl,
    boolean tracking,
    Duration invalidationLease) {

  /**
   * How long a connection may stay silent (no answer to a PING) before it is replaced: the lease
   * with tracking; else the fetch timeout, after which its misses have failed anyway.
   */
  public Duration silenceLimit() {
    return tracking ? invalidationLease : fetchTimeout;
  }
}
