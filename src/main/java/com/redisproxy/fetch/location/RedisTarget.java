package com.redisproxy.fetch.location;

import io.lettuce.core.RedisURI;
import java.util.List;
import java.util.stream.Collectors;

/** What REDIS_ADDRESS names: one Redis, the master a set of Sentinels watches, or a Redis Cluster. */
public sealed interface RedisTarget {

  /** The address for logs and messages: no user name, never the password. */
  String redacted();

  /** One Redis at a fixed address. */
  record Standalone(RedisURI uri) implements RedisTarget {
    @Override
    public String redacted() {
      return RedisAddress.redacted(uri);
    }
  }

  /** Lettuce's Sentinel URI: the sentinels, the master's name, and the master's credentials and database. */
  record Sentinel(RedisURI uri) implements RedisTarget {
    @Override
    public String redacted() {
      String sentinels = uri.getSentinels().stream()
          .map(sentinel -> sentinel.getHost() + ":" + sentinel.getPort()).collect(Collectors.joining(","));
      return (uri.isSsl() ? "rediss-sentinel" : "redis-sentinel") + "://" + sentinels + "/" + uri.getDatabase()
          + "#" + uri.getSentinelMasterId();
    }
  }

  /** Seed nodes of a Redis Cluster, each with the cluster's credentials and TLS setting. */
  record Cluster(List<RedisURI> seeds) implements RedisTarget {
    public Cluster {
      seeds = List.copyOf(seeds);
      if (seeds.isEmpty()) throw new IllegalArgumentException("a cluster needs at least one seed node");
    }

    @Override
    public String redacted() {
      String nodes = seeds.stream().map(seed -> seed.getHost() + ":" + seed.getPort()).collect(Collectors.joining(","));
      return (seeds.get(0).isSsl() ? "rediss-cluster" : "redis-cluster") + "://" + nodes;
    }
  }
}
