package com.redisproxy.fetch;

import com.redisproxy.fetch.location.RedisTarget;
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
 * @param invalidationLease with tracking, how long after a connection's last answered PING was sent
 *     the values it tracks may be served; also the heartbeat's period (a quarter of it)
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
   * How long a connection may stay silent (no answer to a PING) before it is replaced: the fetch
   * timeout, after which its misses have failed anyway, and with tracking at least the lease.
   */
  public Duration silenceLimit() {
    return tracking && invalidationLease.compareTo(fetchTimeout) > 0 ? invalidationLease : fetchTimeout;
  }
}
