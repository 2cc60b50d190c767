package com.redisproxy.fetch.redis;

import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.RedisCommand;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce's per-command timeout, for every command but a miss batch's, which has one deadline for
 * the whole batch (see {@link MissBatch}); 0 tells Lettuce to schedule no timer. Misses so also go
 * without Lettuce 7's relaxed timeouts during a server's announced maintenance: their deadline is
 * the fetch timeout, as the CacheActor's is.
 */
final class TimeoutsOutsideBatches extends TimeoutOptions.TimeoutSource {
  private final long timeoutNanos;

  TimeoutsOutsideBatches(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public long getTimeout(RedisCommand<?, ?, ?> command) {
    return MissBatch.sharesBatchDeadline(command) ? 0 : timeoutNanos;
  }

  @Override
  public TimeUnit getTimeUnit() {
    return TimeUnit.NANOSECONDS;
  }
}
