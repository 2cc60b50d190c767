package com.redisproxy.fetch;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Why a fetch failed, as far as a client of the proxy needs to know. */
public enum FetchError {
  /** Not connected, connection refused or lost. */
  UNAVAILABLE,
  /** No answer within the fetch timeout. */
  TIMEOUT,
  /** Redis answered with an error reply (NOAUTH, LOADING, OOM ...). */
  REDIS_ERROR,
  /** Redis answered WRONGTYPE: the key holds a list, a hash or another type, not a string. */
  WRONG_TYPE;

  public static FetchError classify(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof RedisCommandTimeoutException) return TIMEOUT;
    if (cause instanceof RedisCommandExecutionException redis) {
      // Redis names its errors only by the first word of their text.
      return String.valueOf(redis.getMessage()).startsWith("WRONGTYPE") ? WRONG_TYPE : REDIS_ERROR;
    }
    return UNAVAILABLE;
  }

  /** A message for clients: Redis's own error text, or a short description without secrets. */
  public static String describe(Throwable failure) {
    Throwable cause = unwrap(failure);
    return switch (classify(cause)) {
      case REDIS_ERROR, WRONG_TYPE -> String.valueOf(cause.getMessage());
      case TIMEOUT -> "backing Redis did not answer in time";
      case UNAVAILABLE -> "backing Redis is unavailable (" + cause.getMessage() + ")";
    };
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
