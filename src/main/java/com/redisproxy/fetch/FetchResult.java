package com.redisproxy.fetch;

import org.apache.pekko.util.ByteString;

/** What a {@link RedisFetcher} answers to a {@link RedisFetcher.Fetch}; it carries the request's id. */
public sealed interface FetchResult {
  long requestId();

  ByteString key();

  /** Redis answered; {@code value} is null when the key does not exist. */
  record Fetched(long requestId, ByteString key, ByteString value) implements FetchResult {}

  record FetchFailed(long requestId, ByteString key, FetchError error, String message)
      implements FetchResult {}
}
