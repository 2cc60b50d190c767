package com.redisproxy.fetch.cluster;

import io.lettuce.core.protocol.ProtocolKeyword;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/** A command name as the client sent it, for Lettuce's {@code dispatch}. */
public record NamedCommand(byte[] bytes) implements ProtocolKeyword {

  public static NamedCommand of(ByteString name) {
    return new NamedCommand(name.toArray());
  }

  @Override
  public byte[] getBytes() {
    return bytes;
  }

  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
