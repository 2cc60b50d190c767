package com.redisproxy.tools;

import com.redisproxy.fetch.location.RedisAddress;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/** `make seed`: writes seeded_key1..seeded_key100 to the Redis at REDIS_ADDRESS (or args[0]). */
public final class SeedDemoKeys {
  private static final int COUNT = 100;

  private SeedDemoKeys() {}

  public static void main(String[] args) {
    String address = args.length > 0 ? args[0] : System.getenv().getOrDefault("REDIS_ADDRESS", "localhost:6379");
    RedisClient client = RedisClient.create(RedisAddress.parse(address));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      for (int i = 1; i <= COUNT; i++) redis.set("seeded_key" + i, "seeded_value" + i);
      System.out.println("Seeded " + COUNT + " keys (seeded_key1 .. seeded_key" + COUNT + ") into "
          + RedisAddress.redacted(RedisAddress.parse(address)));
    } finally {
      client.shutdown();
    }
  }
}
