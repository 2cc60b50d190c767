package com.redisproxy.resp.codec;

/**
 * Bounds on what client requests may make the parser hold: one argument, the arguments of one
 * request, one inline line, one request's bytes (each argument counted with its overhead), and the
 * bytes every connection's requests being read hold together ({@code maxReadingBytes}).
 */
public record RespLimits(int maxBulkBytes, int maxArrayLength, int maxInlineBytes, int maxRequestBytes, long maxReadingBytes) {
  /** Redis's proto-max-bulk-len. */
  public static final int REDIS_MAX_BULK_BYTES = 512 * 1024 * 1024;
  /** Redis's client-query-buffer-limit: what one client's unread requests may hold. */
  public static final int REDIS_MAX_QUERY_BUFFER_BYTES = 1024 * 1024 * 1024;
  /** Redis's inline request limit (PROTO_INLINE_MAX_SIZE). */
  public static final int REDIS_MAX_INLINE_BYTES = 64 * 1024;

  /** The defaults of reference.conf: Redis's own limits, and a quarter of the heap for every request being read. */
  public static RespLimits defaults() {
    return new RespLimits(REDIS_MAX_BULK_BYTES, Integer.MAX_VALUE, REDIS_MAX_INLINE_BYTES, REDIS_MAX_QUERY_BUFFER_BYTES,
        defaultReadingBytes());
  }

  /** A quarter of the heap: a request is held twice at its peak (read, then cut into arguments). */
  public static long defaultReadingBytes() {
    return Runtime.getRuntime().maxMemory() / 4;
  }

  public RespLimits withMaxBulkBytes(int maxBulkBytes) {
    return new RespLimits(maxBulkBytes, maxArrayLength, maxInlineBytes, maxRequestBytes, maxReadingBytes);
  }

  public RespLimits withMaxArrayLength(int maxArrayLength) {
    return new RespLimits(maxBulkBytes, maxArrayLength, maxInlineBytes, maxRequestBytes, maxReadingBytes);
  }

  public RespLimits withMaxInlineBytes(int maxInlineBytes) {
    return new RespLimits(maxBulkBytes, maxArrayLength, maxInlineBytes, maxRequestBytes, maxReadingBytes);
  }

  public RespLimits withMaxRequestBytes(int maxRequestBytes) {
    return new RespLimits(maxBulkBytes, maxArrayLength, maxInlineBytes, maxRequestBytes, maxReadingBytes);
  }

  public RespLimits withMaxReadingBytes(long maxReadingBytes) {
    return new RespLimits(maxBulkBytes, maxArrayLength, maxInlineBytes, maxRequestBytes, maxReadingBytes);
  }
}
