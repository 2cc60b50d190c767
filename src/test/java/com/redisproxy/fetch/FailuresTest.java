package com.redisproxy.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisConnectionException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void theInnermostCauseSaysWhy() {
    Throwable failure = new CompletionException(
        new RedisConnectionException("Unable to connect to [db:6379]", new ConnectException("Connection refused")));
    assertEquals("Connection refused", Failures.rootMessage(failure));
  }

  @Test
  void aCauseWithoutMessageIsNamedByItsType() {
    Throwable failure = new RedisConnectionException("Unable to connect to [db:6379]", new ClosedChannelException());
    assertEquals("ClosedChannelException", Failures.rootMessage(failure));
  }

  @Test
  void aFailureWithoutCauseIsItsOwnRoot() {
    assertEquals("not connected", Failures.rootMessage(new IllegalStateException("not connected")));
    assertEquals("IllegalStateException", Failures.rootMessage(new IllegalStateException()));
  }
}
