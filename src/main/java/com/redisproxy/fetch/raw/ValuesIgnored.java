package com.redisproxy.fetch.raw;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;

/** A Lettuce output that keeps none of the values Lettuce decodes: the bytes on the wire are the reply. */
abstract class ValuesIgnored<T> extends CommandOutput<byte[], byte[], T> {

  ValuesIgnored() {
    super(ByteArrayCodec.INSTANCE, null);
  }

  @Override
  public void set(ByteBuffer bytes) {}

  @Override
  public void set(long integer) {}

  @Override
  public void set(double number) {}

  @Override
  public void set(boolean value) {}
}
