package com.redisproxy.resp.codec;

/** Bounds on what one client request may make the parser hold. */
public record RespLimits(int maxBulkBytes, int maxArrayLength, int maxInlineBytes, int maxRequestBytes) {

  /** The defaults of reference.conf. */
  public static RespLimits defaults() {
    return new RespLimits(16_777_216, 65_536, 65_536, 16_777_216);
  }

  public RespLimits withMaxBulkBytes(int maxBulkBytes) {
    return new RespLimits(maxBulkBytes, maxArrayLength, maxInlineBytes, maxRequestBytes);
  }

  public RespLimits withMaxArrayLength(int maxArrayLength) {
    return new RespLimits(maxBulkBytes, maxArrayLength, maxInlineBytes, maxRequestBytes);
  }

  public RespLimits withMaxInlineBytes(int maxInlineBytes) {
    return new RespLimits(maxBulkBytes, maxArrayLength, maxInlineBytes, maxRequestBytes);
  }

  public RespLimits withMaxRequestBytes(int maxRequestBytes) {
    return new RespLimits(maxBulkBytes, maxArrayLength, maxInlineBytes, maxRequestBytes);
  }
}
