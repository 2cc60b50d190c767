package com.redisproxy.fetch;

import java.util.List;
import org.apache.pekko.util.ByteString;

/** What a {@link RedisFetcher} answers to a {@link RedisFetcher.Wanted} read; it carries the request's id. */
public sealed interface FetchResult {
  long requestId();

  ByteString key();

  /** The read's command, empty for GET (see {@link RedisFetcher.Wanted}). */
  List<ByteString> command();

  /** The protocol a command's reply is in. */
  boolean resp3();

  /**
   * Redis answered. For GET {@code value} is the value, null when the key does not exist; for a
   * command it is the whole reply as Redis sent it (an error reply included). {@code ttlMillis} is
   * the key's remaining time to live in Redis, {@link RedisValue#NO_EXPIRY}, or for a command
   * {@link RedisValue#KEY_ABSENT} when the key did not exist. A value that is not {@code cacheable}
   * answers its waiters and is not kept (see {@link RedisValue}). {@code bulk}: GET's value as Redis
   * framed it, when known, else null (see {@link RedisValue}).
   */
  record Fetched(long requestId, ByteString key, List<ByteString> command, boolean resp3, ByteString value,
      long ttlMillis, boolean cacheable, ByteString bulk) implements FetchResult {
    public Fetched(long requestId, ByteString key, List<ByteString> command, boolean resp3, ByteString value,
        long ttlMillis, boolean cacheable) {
      this(requestId, key, command, resp3, value, ttlMillis, cacheable, null);
    }

    /** GET's answer. */
    public Fetched(long requestId, ByteString key, ByteString value, long ttlMillis) {
      this(requestId, key, List.of(), false, value, ttlMillis, true);
    }

    /** A reply Redis will tell the next change of. */
    public Fetched(long requestId, ByteString key, List<ByteString> command, boolean resp3, ByteString value, long ttlMillis) {
      this(requestId, key, command, resp3, value, ttlMillis, true);
    }

    /** GET's answer, which Redis may not tell the next change of when not {@code cacheable}. */
    public Fetched(long requestId, ByteString key, ByteString value, long ttlMillis, boolean cacheable) {
      this(requestId, key, List.of(), false, value, ttlMillis, cacheable);
    }

    Fetched(RedisFetcher.Wanted wanted, RedisValue read) {
      this(wanted.requestId(), wanted.key(), wanted.command(), wanted.resp3(), read.value(), read.ttlMillis(), read.cacheable(),
          read.bulk());
    }

    /** For a command: its key did not exist when it was read. */
    public boolean keyAbsent() {
      return ttlMillis == RedisValue.KEY_ABSENT;
    }
  }

  record FetchFailed(long requestId, ByteString key, List<ByteString> command, boolean resp3, FetchError error,
      String message) implements FetchResult {
    /** GET's failure. */
    public FetchFailed(long requestId, ByteString key, FetchError error, String message) {
      this(requestId, key, List.of(), false, error, message);
    }

    FetchFailed(RedisFetcher.Wanted wanted, FetchError error, String message) {
      this(wanted.requestId(), wanted.key(), wanted.command(), wanted.resp3(), error, message);
    }
  }
}
