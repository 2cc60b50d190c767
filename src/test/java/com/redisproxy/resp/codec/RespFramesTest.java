package com.redisproxy.resp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where a reply from Redis ends, for every RESP2 and RESP3 type, with the input cut at every offset. */
class RespFramesTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "+OK\r\n", "-ERR wrong\r\n", ":42\r\n", "$5\r\nhe\r\no\r\n", "$-1\r\n", "*-1\r\n", "*0\r\n",
      "*2\r\n$1\r\na\r\n:1\r\n", "*2\r\n*1\r\n+x\r\n$-1\r\n", "_\r\n", ",1.5\r\n", "#t\r\n", "(123\r\n",
      "=8\r\ntxt:abcd\r\n", "!3\r\nerr\r\n", "%1\r\n+k\r\n:1\r\n", "~2\r\n+a\r\n+b\r\n",
      ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", "|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n"})
  void aReplyIsCompleteOnlyWithItsLastByte(String reply) {
    byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut < bytes.length; cut++) {
      ByteBuf part = Unpooled.wrappedBuffer(bytes, 0, cut);
      assertEquals(RespFrames.INCOMPLETE, new RespFrames().next(part), "complete after " + cut + " bytes of " + reply);
    }
    RespFrames frames = new RespFrames();
    ByteBuf twoReplies = Unpooled.wrappedBuffer((reply + "+next\r\n").getBytes(StandardCharsets.UTF_8));
    assertEquals(bytes.length, frames.next(twoReplies));
    twoReplies.skipBytes(bytes.length);
    assertEquals("+next\r\n".length(), frames.next(twoReplies));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "$5\r\nhe\r\no\r\n", "*2\r\n*1\r\n+x\r\n$-1\r\n", "%1\r\n+k\r\n:1\r\n", "|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n",
      "*3\r\n*0\r\n*-1\r\n~1\r\n>1\r\n+deep\r\n"})
  void aReplyFedAByteAtATimeEndsWhereItEnds(String reply) {
    byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
    RespFrames frames = new RespFrames();
    ByteBuf in = Unpooled.buffer();
    for (int i = 0; i < bytes.length - 1; i++) {
      in.writeByte(bytes[i]);
      assertEquals(RespFrames.INCOMPLETE, frames.next(in), "complete after " + (i + 1) + " bytes of " + reply);
    }
    in.writeByte(bytes[bytes.length - 1]);
    in.writeBytes("+next\r\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(bytes.length, frames.next(in));
  }

  @Test
  void aReplyNestedAMillionDeepIsOneFrame() {
    int depth = 1_000_000;
    StringBuilder reply = new StringBuilder("*1\r\n".repeat(depth)).append(":1\r\n");
    ByteBuf in = Unpooled.wrappedBuffer((reply + "+next\r\n").getBytes(StandardCharsets.UTF_8));
    assertEquals(reply.length(), new RespFrames().next(in));
  }

  @ParameterizedTest
  @ValueSource(strings = {">2\r\n+a\r\n+b\r\n"})
  void aPushIsToldApart(String push) {
    ByteBuf in = Unpooled.wrappedBuffer((push + "*1\r\n+a\r\n").getBytes(StandardCharsets.UTF_8));
    assertTrue(RespFrames.isPush(in, 0));
    assertFalse(RespFrames.isPush(in, push.length()));
  }
}
