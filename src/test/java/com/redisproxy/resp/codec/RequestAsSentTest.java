package com.redisproxy.resp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** A request read whole in one feed goes to Redis as the client sent it; anything else is encoded again. */
class RequestAsSentTest {
  private static final String PIPELINE =
      "*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$10\r\n0123456789\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$0\r\n\r\n";

  private static ByteString bytes(String text) {
    return ByteString.fromString(text, StandardCharsets.ISO_8859_1);
  }

  private static String forwarded(RespRequest request) {
    ByteBuf out = UnpooledByteBufAllocator.DEFAULT.buffer();
    try {
      RespEncoding.append(out, request);
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
    }
  }

  private static String encoded(RespRequest request) {
    ByteBuf out = RespEncoding.array(UnpooledByteBufAllocator.DEFAULT, request.args());
    try {
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
    }
  }

  private static List<RespRequest> feed(RespParser parser, String... chunks) {
    List<RespRequest> requests = new ArrayList<>();
    for (String chunk : chunks) requests.addAll(parser.feed(bytes(chunk)).requests());
    return requests;
  }

  @Test
  void requestsReadWholeKeepTheClientsBytes() {
    List<RespRequest> requests = feed(new RespParser(RespParserTest.LIMITS), PIPELINE);
    assertEquals(4, requests.size());
    StringBuilder all = new StringBuilder();
    for (RespRequest request : requests) {
      assertNotNull(request.sent(), "kept as sent: " + request);
      all.append(forwarded(request));
    }
    assertEquals(PIPELINE, all.toString());
  }

  @Test
  void splitAtEveryOffsetEachRequestIsForwardedAsRedisReadsIt() {
    for (int at = 0; at <= PIPELINE.length(); at++) {
      List<RespRequest> requests = feed(new RespParser(RespParserTest.LIMITS), PIPELINE.substring(0, at), PIPELINE.substring(at));
      assertEquals(4, requests.size(), "split at " + at);
      StringBuilder all = new StringBuilder();
      int offset = 0;
      for (RespRequest request : requests) {
        String sent = forwarded(request);
        assertEquals(encoded(request), sent, "split at " + at);
        boolean split = offset < at && at < offset + sent.length();
        if (split) assertNull(request.sent(), "split at " + at + ": encoded again, not taken from two reads");
        else assertNotNull(request.sent(), "split at " + at + ": whole in one read");
        offset += sent.length();
        all.append(sent);
      }
      assertEquals(PIPELINE, all.toString());
    }
  }

  @Test
  void lengthsRedisWouldNotReadAreEncodedAgain() {
    for (String odd : new String[] {"*02\r\n$3\r\nGET\r\n$1\r\nk\r\n", "*2\r\n$03\r\nGET\r\n$1\r\nk\r\n",
        "*2\r\n$3\r\nGET\r\n$-0\r\n\r\n"}) {
      RespBatch batch = new RespParser(RespParserTest.LIMITS).feed(bytes(odd));
      assertNull(batch.protocolError(), odd);
      RespRequest request = batch.requests().get(0);
      assertNull(request.sent(), odd);
      assertEquals(encoded(request), forwarded(request));
    }
  }

  @Test
  void inlineRequestsAreEncoded() {
    RespRequest request = feed(new RespParser(RespParserTest.LIMITS), "SET k v\r\n").get(0);
    assertNull(request.sent());
    assertEquals("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", forwarded(request));
  }

  @Test
  void aFeedOfSeveralPartsIsEncoded() {
    ByteString parts = bytes("*1\r\n$4\r\n").concat(bytes("PING\r\n"));
    RespRequest request = new RespParser(RespParserTest.LIMITS).feed(parts).requests().get(0);
    assertNull(request.sent());
    assertEquals("*1\r\n$4\r\nPING\r\n", forwarded(request));
  }
}
