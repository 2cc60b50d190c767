package com.redisproxy.fetch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.fetch.ByteStringCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * The outputs play what Lettuce does on a redirect: the MOVED or ASK error is set, cleared before
 * the command is sent again, then the reply from the right node is set.
 */
class RedirectNotedTest {

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void aBulkReplyAfterAMovedIsDecodedAndNotedAsRedirected() {
    RedirectNoted<ByteString, ByteString, ByteString> output = RedirectNoted.bulk(ByteStringCodec.INSTANCE);
    output.setError(ascii("MOVED 3999 127.0.0.1:7001"));
    output.setError((String) null);
    output.set(ascii("v"));
    assertEquals(ByteString.fromString("v"), output.get());
    assertFalse(output.hasError());
    assertTrue(output.redirected());
  }

  @Test
  void anIntegerReplyAfterAnAskIsNotedAsRedirected() {
    RedirectNoted<ByteString, ByteString, Long> output = RedirectNoted.integer(ByteStringCodec.INSTANCE);
    output.setError("ASK 3999 127.0.0.1:7002");
    output.setError((String) null);
    output.set(1500L);
    assertEquals(1500L, output.get());
    assertTrue(output.redirected());
  }

  @Test
  void aReplyStraightFromItsNodeIsNotRedirected() {
    RedirectNoted<ByteString, ByteString, ByteString> output = RedirectNoted.bulk(ByteStringCodec.INSTANCE);
    output.set((ByteBuffer) null);
    assertNull(output.get());
    assertFalse(output.redirected());
  }

  @Test
  void anotherErrorIsKeptAndIsNotARedirect() {
    RedirectNoted<ByteString, ByteString, Long> output = RedirectNoted.integer(ByteStringCodec.INSTANCE);
    output.setError(ascii("WRONGTYPE Operation against a key holding the wrong kind of value"));
    assertTrue(output.getError().startsWith("WRONGTYPE"));
    assertFalse(output.redirected());
  }
}
