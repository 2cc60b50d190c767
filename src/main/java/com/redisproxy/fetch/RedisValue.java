package com.redisproxy.fetch;

import org.apache.pekko.util.ByteString;

/**
 * A key as read from Redis: its value (null when absent) and its remaining time to live in
 * milliseconds, or {@link #NO_EXPIRY} when it has none or was not asked for. {@code cacheable} is
 * false when Redis may not tell of the key's next change (with tracking: a cluster node
 * connection whose tracking was not confirmed, or lapsed, while the read was on its way).
 * {@code bulk}, for GET when known (else null), is the value as Redis framed its reply, a RESP bulk
 * string whose bytes {@code value} is a view of: the cache keeps it, and a RESP client is sent it, as it is.
 */
public record RedisValue(ByteString value, long ttlMillis, boolean cacheable, ByteString bulk) {
  public static final long NO_EXPIRY = -1;
  /** For a command's reply: the key did not exist when the command read it (PTTL -2). */
  public static final long KEY_ABSENT = -2;

  public RedisValue(ByteString value, long ttlMillis) {
    this(value, ttlMillis, true, null);
  }

  public RedisValue(ByteString value, long ttlMillis, boolean cacheable) {
    this(value, ttlMillis, cacheable, null);
  }
}
