package com.redisproxy.fetch;

import org.apache.pekko.util.ByteString;

/** What a {@link RedisFetcher} answers to a {@link RedisFetcher.Fetch}; it carries the request's id. */
public sealed interface FetchResult {
  long requestId();

  ByteString key();

  /**
   * Redis answered; {@code value} is null when the key does not exist, {@code ttlMillis} is the
   * key's remaining time to live in Redis or {@link RedisValue#NO_EXPIRY}; a value that is not
   * {@code cacheable} answers its waiters and is not kept (see {@link RedisValue}).
   */
  record Fetched(long requestId, ByteString key, ByteString value, long ttlMillis, boolean cacheable)
      implements FetchResult {
    public Fetched(long requestId, ByteString key, ByteString value, long ttlMillis) {
      this(requestId, key, value, ttlMillis, true);
    }
  }

  record FetchFailed(long requestId, ByteString key, FetchError error, String message)
      implements FetchResult {}
}
