package com.redisproxy.cache;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * GET's value as Redis frames its reply, a RESP bulk string ({@code $<length>\r\n<bytes>\r\n}, the
 * same in RESP2 and RESP3): the form the store keeps GET's values in, so that a RESP client's
 * reply, hit or miss, is these bytes as they are, with no header made again for each read.
 */
public final class BulkString {
  private BulkString() {}

  /** {@code value} framed: one copy. */
  public static byte[] frame(ByteString value) {
    byte[] length = Integer.toString(value.size()).getBytes(StandardCharsets.US_ASCII);
    byte[] framed = new byte[1 + length.length + 2 + value.size() + 2];
    framed[0] = '$';
    System.arraycopy(length, 0, framed, 1, length.length);
    int body = 1 + length.length + 2;
    framed[body - 2] = '\r';
    framed[body - 1] = '\n';
    value.copyToArray(framed, body, value.size());
    framed[framed.length - 2] = '\r';
    framed[framed.length - 1] = '\n';
    return framed;
  }

  /** The value inside {@code framed}, not a copy. */
  public static ByteString valueOf(byte[] framed) {
    int body = 1;
    while (framed[body - 1] != '\n') body++;
    return ByteString.fromArrayUnsafe(framed, body, framed.length - body - 2);
  }
}
