package com.redisproxy.fetch;

/** One key's read from Redis: its value, or why it could not be read (then {@code value} is null). */
public record KeyRead(RedisValue value, Throwable failure) {

  public static KeyRead of(RedisValue value) {
    return new KeyRead(value, null);
  }

  public static KeyRead failed(Throwable failure) {
    return new KeyRead(null, failure);
  }
}
