package com.redisproxy.cache;

import org.apache.pekko.util.ByteString;

/** The cache's answer to a read of one key. */
public sealed interface GetResult {

  /**
   * The key's value; {@code fromCache} tells a hit from a value just fetched from Redis. For GET,
   * {@code bulk} is the same value as Redis frames its reply ({@link BulkString}), when known (else
   * null), which a RESP client is sent as it is.
   */
  record Found(ByteString value, boolean fromCache, ByteString bulk) implements GetResult, Lookup {
    public Found(ByteString value, boolean fromCache) {
      this(value, fromCache, null);
    }

    // bulk is the same value in another form: equal answers are equal whichever form they carry.
    @Override
    public boolean equals(Object other) {
      return other instanceof Found found && found.fromCache == fromCache && found.value.equals(value);
    }

    @Override
    public int hashCode() {
      return 31 * value.hashCode() + Boolean.hashCode(fromCache);
    }

    /** GET's value kept as {@link BulkString#frame} made it. */
    public static Found ofBulk(byte[] framed, boolean fromCache) {
      return new Found(BulkString.valueOf(framed), fromCache, ByteString.fromArrayUnsafe(framed));
    }
  }

  /** Redis has no such key. */
  enum NotFound implements GetResult, Lookup {
    INSTANCE
  }

  /** The value could not be read; {@code message} is safe to show to clients. */
  record Failed(Reason reason, String message) implements GetResult, Lookup {}

  enum Reason {
    /** The backing Redis could not be reached. */
    REDIS_UNAVAILABLE,
    /** The backing Redis did not answer within the fetch timeout. */
    REDIS_TIMEOUT,
    /** The backing Redis answered with an error, passed on in the message (e.g. LOADING). */
    REDIS_ERROR,
    /** The key holds another type than a string; Redis's WRONGTYPE error is in the message. */
    WRONG_TYPE,
    /** The proxy is at one of its limits and refused the request rather than queue it. */
    OVERLOADED
  }
}
