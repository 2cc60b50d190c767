package com.redisproxy.resp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class RespEncodingTest {

  private static String encoded(List<ByteString> args) {
    ByteBuf out = RespEncoding.array(UnpooledByteBufAllocator.DEFAULT, args);
    try {
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
    }
  }

  @Test
  void anArrayOfBulkStringsWithEveryLengthInDecimal() {
    assertEquals("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n",
        encoded(List.of(ByteString.fromString("SET"), ByteString.fromString("k"), ByteString.emptyByteString())));
    for (int length : new int[] {9, 10, 99, 100, 12345}) {
      String arg = "x".repeat(length);
      assertEquals("*1\r\n$" + length + "\r\n" + arg + "\r\n", encoded(List.of(ByteString.fromString(arg))));
    }
  }

  @Test
  void argumentsMadeOfSlicesAndPartsAreWrittenWhole() {
    ByteString parts = ByteString.fromString("hello ").concat(ByteString.fromString("world"));
    ByteString slice = ByteString.fromString("--middle--").slice(2, 8);
    assertEquals("*2\r\n$11\r\nhello world\r\n$6\r\nmiddle\r\n", encoded(List.of(parts, slice)));
  }

  @Test
  void elevenArgumentsCountInTwoDigits() {
    List<ByteString> args = new ArrayList<>();
    for (int i = 0; i < 11; i++) args.add(ByteString.fromString("a"));
    assertEquals("*11\r\n" + "$1\r\na\r\n".repeat(11), encoded(args));
  }
}
