package com.redisproxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class BulkStringTest {

  private static String framed(String value) {
    return new String(BulkString.frame(ByteString.fromString(value)), StandardCharsets.ISO_8859_1);
  }

  @Test
  void framesAValueAsRedisSendsGetsReply() {
    assertEquals("$0\r\n\r\n", framed(""));
    assertEquals("$1\r\nv\r\n", framed("v"));
    assertEquals("$12\r\nhello\r\nworld\r\n", framed("hello\r\nworld"));
    assertEquals("$100\r\n" + "x".repeat(100) + "\r\n", framed("x".repeat(100)));
  }

  @Test
  void theValueInsideAFramedReplyIsItsBytesWhateverTheyHold() {
    for (String value : new String[] {"", "v", "$3\r\n", "x".repeat(1000)}) {
      ByteString inside = BulkString.valueOf(BulkString.frame(ByteString.fromString(value)));
      assertEquals(ByteString.fromString(value), inside, value);
    }
  }
}
