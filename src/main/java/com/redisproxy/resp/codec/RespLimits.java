package com.redisproxy.resp.codec;

/** Bounds on what one client request may make the parser hold. */
public record RespLimits(int maxBulkBytes, int maxArrayLength, int maxInlineBytes, int maxRequestBytes) {}
