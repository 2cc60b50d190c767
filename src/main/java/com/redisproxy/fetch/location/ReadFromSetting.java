package com.redisproxy.fetch.location;

import io.lettuce.core.ReadFrom;
import java.util.Locale;

/** REDIS_READ_FROM: which node of a Redis Cluster a miss is read from. */
public final class ReadFromSetting {
  private ReadFromSetting() {}

  /** @throws IllegalArgumentException naming the values it takes */
  public static ReadFrom parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "master" -> ReadFrom.UPSTREAM;
      case "replica" -> ReadFrom.REPLICA;
      case "replica-preferred" -> ReadFrom.REPLICA_PREFERRED;
      case "nearest" -> ReadFrom.NEAREST;
      default -> throw new IllegalArgumentException(
          "'" + text.trim() + "' is not master, replica, replica-preferred or nearest");
    };
  }
}
