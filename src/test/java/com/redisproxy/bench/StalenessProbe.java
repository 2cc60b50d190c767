package com.redisproxy.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Arrays;

/**
 * bench/run.sh's staleness row: how long after a write in Redis the proxy (with tracking on)
 * serves the new value. Each round reads the key through the proxy (so it is cached), writes a
 * new value directly to Redis, then reads through the proxy until the new value comes back.
 * Usage: StalenessProbe REDIS_PORT PROXY_RESP_PORT ROUNDS
 */
public final class StalenessProbe {
  private StalenessProbe() {}

  public static void main(String[] args) {
    int redisPort = Integer.parseInt(args[0]);
    int proxyPort = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    RedisClient client = RedisClient.create();
    try (StatefulRedisConnection<String, String> redisConnection = client.connect(RedisURI.create("127.0.0.1", redisPort));
        StatefulRedisConnection<String, String> proxyConnection = client.connect(RedisURI.create("127.0.0.1", proxyPort))) {
      RedisCommands<String, String> redis = redisConnection.sync();
      RedisCommands<String, String> proxy = proxyConnection.sync();
      long[] micros = new long[rounds];
      long deadlineNanos = 5_000_000_000L;
      redis.set("staleness:key", "v-start");
      for (int round = 0; round < rounds; round++) {
        proxy.get("staleness:key"); // cached now
        String fresh = "v-" + round;
        redis.set("staleness:key", fresh);
        long written = System.nanoTime();
        while (!fresh.equals(proxy.get("staleness:key"))) {
          if (System.nanoTime() - written > deadlineNanos) throw new IllegalStateException("still stale after 5 s");
        }
        micros[round] = (System.nanoTime() - written) / 1000;
      }
      Arrays.sort(micros);
      System.out.printf("%d %d %d%n", micros[rounds / 2], micros[(int) (rounds * 0.99)], micros[rounds - 1]);
    } finally {
      client.shutdown();
    }
  }
}
