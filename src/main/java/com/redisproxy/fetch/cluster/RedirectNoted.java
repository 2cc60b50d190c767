package com.redisproxy.fetch.cluster;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.ValueOutput;
import java.nio.ByteBuffer;

/**
 * Reply outputs that note whether Lettuce followed a MOVED or ASK to get the reply: the read then
 * came from a node it was not stamped for, maybe on a connection without tracking, so its value is
 * not cached. Lettuce clears the error before it sends the command again; the note stays.
 */
final class RedirectNoted {
  private RedirectNoted() {}

  private static boolean isRedirect(String error) {
    return error != null && (error.startsWith("MOVED") || error.startsWith("ASK"));
  }

  /** A bulk reply's output. */
  static final class Value<K, V> extends ValueOutput<K, V> {
    private volatile boolean redirected;

    Value(RedisCodec<K, V> codec) {
      super(codec);
    }

    boolean redirected() {
      return redirected;
    }

    @Override
    public void setError(ByteBuffer error) {
      super.setError(error);
      if (isRedirect(this.error)) redirected = true;
    }

    @Override
    public void setError(String error) {
      super.setError(error);
      if (isRedirect(error)) redirected = true;
    }
  }

  /** An integer reply's output. */
  static final class Integer<K, V> extends IntegerOutput<K, V> {
    private volatile boolean redirected;

    Integer(RedisCodec<K, V> codec) {
      super(codec);
    }

    boolean redirected() {
      return redirected;
    }

    @Override
    public void setError(ByteBuffer error) {
      super.setError(error);
      if (isRedirect(this.error)) redirected = true;
    }

    @Override
    public void setError(String error) {
      super.setError(error);
      if (isRedirect(error)) redirected = true;
    }
  }
}
