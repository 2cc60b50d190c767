package com.redisproxy.fetch;

import org.apache.pekko.util.ByteString;

/** What a {@link RedisFetcher} answers to a {@link RedisFetcher.Fetch}; it carries the request's id. */
public sealed interface FetchResult {
  long requestId();

  ByteString key();

  /**
   * Redis answered; {@code value} is null when the key does not exist, {@code ttlMillis} is the
   * key's remaining time to live in Redis or {@link RedisValue#NO_EXPIRY}.
   */
  record Fetched(long requestId, ByteString key, ByteString value, long ttlMillis) implements FetchResult {}

  record FetchFailed(long requestId, ByteString key, FetchError error, String message)
      implements FetchResult {}
}
