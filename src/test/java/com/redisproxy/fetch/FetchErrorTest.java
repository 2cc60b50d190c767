package com.redisproxy.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FetchErrorTest {
  private static final String WRONG_TYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

  @Test
  void wrongTypeIsToldApartFromOtherRedisErrorsAndBothKeepRedissText() {
    Throwable wrongType = new CompletionException(new RedisCommandExecutionException(WRONG_TYPE));
    Throwable loading = new CompletionException(new RedisCommandExecutionException("LOADING Redis is loading"));
    assertEquals(FetchError.WRONG_TYPE, FetchError.classify(wrongType));
    assertEquals(WRONG_TYPE, FetchError.describe(wrongType));
    assertEquals(FetchError.REDIS_ERROR, FetchError.classify(loading));
    assertEquals("LOADING Redis is loading", FetchError.describe(loading));
  }

  @Test
  void timeoutsAndLostConnectionsAreNotRedisErrors() {
    assertEquals(FetchError.TIMEOUT, FetchError.classify(new CompletionException(new RedisCommandTimeoutException("slow"))));
    assertEquals(FetchError.UNAVAILABLE, FetchError.classify(new RedisConnectionException("not connected")));
  }
}
