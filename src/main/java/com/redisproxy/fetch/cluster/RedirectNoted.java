package com.redisproxy.fetch.cluster;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.ValueOutput;
import java.nio.ByteBuffer;

/**
 * A reply output that notes whether Lettuce followed a MOVED or ASK to get the reply: the read then
 * came from a node it was not stamped for, maybe on a connection without tracking, so its value is
 * not cached. Lettuce clears the error before it sends the command again; the note stays. The reply
 * itself is decoded by the Lettuce output it wraps (a bulk's, an integer's).
 */
final class RedirectNoted<K, V, T> extends CommandOutput<K, V, T> {
  private final CommandOutput<K, V, T> reply;
  private volatile boolean redirected;

  private RedirectNoted(RedisCodec<K, V> codec, CommandOutput<K, V, T> reply) {
    super(codec, null);
    this.reply = reply;
  }

  /** For a bulk reply (GET's). */
  static <K, V> RedirectNoted<K, V, V> bulk(RedisCodec<K, V> codec) {
    return new RedirectNoted<>(codec, new ValueOutput<>(codec));
  }

  /** For an integer reply (PTTL's). */
  static <K, V> RedirectNoted<K, V, Long> integer(RedisCodec<K, V> codec) {
    return new RedirectNoted<>(codec, new IntegerOutput<>(codec));
  }

  boolean redirected() {
    return redirected;
  }

  @Override
  public void setError(ByteBuffer error) {
    setError(decodeString(error));
  }

  @Override
  public void setError(String error) {
    super.setError(error);
    if (error != null && (error.startsWith("MOVED") || error.startsWith("ASK"))) redirected = true;
  }

  @Override
  public T get() {
    return reply.get();
  }

  @Override
  public void set(ByteBuffer bytes) {
    reply.set(bytes);
  }

  @Override
  public void set(long integer) {
    reply.set(integer);
  }

  @Override
  public void set(double number) {
    reply.set(number);
  }

  @Override
  public void set(boolean value) {
    reply.set(value);
  }
}
