package com.redisproxy.fetch.raw;

import java.nio.ByteBuffer;

/**
 * A Lettuce output that keeps nothing at all, errors included: Lettuce's decoder run over the wire
 * only to find where a reply ends ({@link WholeReplies}, and the fetch connections' batch replies).
 */
public final class RepliesSkipped extends ValuesIgnored<Object> {
  public static final RepliesSkipped INSTANCE = new RepliesSkipped();

  private RepliesSkipped() {}

  @Override
  public void setError(ByteBuffer error) {}
}
