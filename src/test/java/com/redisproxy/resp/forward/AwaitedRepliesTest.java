package com.redisproxy.resp.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class AwaitedRepliesTest {
  private static ByteBuf frame(String reply) {
    return Unpooled.copiedBuffer(reply, StandardCharsets.ISO_8859_1);
  }

  @Test
  void completesWithEveryReplyInOrderOnceTheLastHasCome() {
    AwaitedReplies replies = new AwaitedReplies(3, 0);
    assertFalse(replies.add(frame("+OK\r\n")));
    assertFalse(replies.add(frame("$" + 100 + "\r\n" + "x".repeat(100) + "\r\n")));
    assertFalse(replies.future().isDone());
    assertTrue(replies.add(frame(":7\r\n")));
    assertEquals("+OK\r\n$100\r\n" + "x".repeat(100) + "\r\n:7\r\n", replies.future().join().utf8String());
  }

  @Test
  void answersEveryReplyNotYetComeWithTheError() {
    AwaitedReplies replies = new AwaitedReplies(3, 0);
    replies.add(frame(":1\r\n"));
    replies.failRest(ByteString.fromString("-ERR lost\r\n"));
    assertEquals(":1\r\n-ERR lost\r\n-ERR lost\r\n", replies.future().join().utf8String());
  }

  @Test
  void oneRequestsReplyIsItsBytesAlone() {
    AwaitedReplies replies = new AwaitedReplies(1, 0);
    assertTrue(replies.add(frame("$-1\r\n")));
    assertEquals("$-1\r\n", replies.future().join().utf8String());
  }
}
