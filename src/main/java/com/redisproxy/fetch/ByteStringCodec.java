package com.redisproxy.fetch;

import io.lettuce.core.codec.RedisCodec;
import java.nio.ByteBuffer;
import org.apache.pekko.util.ByteString;

/** Keys and values as Pekko ByteStrings, so bytes go from Redis to clients without a String. */
public enum ByteStringCodec implements RedisCodec<ByteString, ByteString> {
  INSTANCE;

  @Override
  public ByteString decodeKey(ByteBuffer bytes) {
    return copyOf(bytes);
  }

  @Override
  public ByteString decodeValue(ByteBuffer bytes) {
    return copyOf(bytes);
  }

  @Override
  public ByteBuffer encodeKey(ByteString key) {
    return key.asByteBuffer();
  }

  @Override
  public ByteBuffer encodeValue(ByteString value) {
    return value.asByteBuffer();
  }

  // Lettuce reuses its buffers, so the bytes are copied once, into an array the ByteString owns.
  private static ByteString copyOf(ByteBuffer bytes) {
    byte[] array = new byte[bytes.remaining()];
    bytes.get(array);
    return ByteString.fromArrayUnsafe(array);
  }
}
