package com.redisproxy.resp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.pekko.util.ByteString;

/**
 * Property-based fuzzing of the RESP parser: whatever the bytes and however they are split, it
 * returns requests, asks for more, or reports a protocol error; it never throws, and its buffer
 * stays within the limits. `make test` runs 2,000 tries per property, `make fuzz` many more.
 */
class RespParserFuzzTest {
  private static final RespLimits LIMITS = RespLimits.defaults()
      .withMaxBulkBytes(512).withMaxArrayLength(16).withMaxInlineBytes(1024).withMaxRequestBytes(2048);
  // A partial request can hold at most the request's bytes, its headers and one read.
  private static final int MAX_BUFFER = 2 * (LIMITS.maxRequestBytes() + 40 * LIMITS.maxArrayLength()
      + LIMITS.maxInlineBytes() + 4096);

  @Property
  void arbitraryBytesSplitAnywhereNeverBreakTheParser(
      @ForAll("hostileInput") byte[] input, @ForAll @IntRange(min = 1, max = 300) int readSize) {
    RespParser parser = new RespParser(LIMITS);
    boolean failed = false;
    for (int from = 0; from < input.length; from += readSize) {
      int to = Math.min(input.length, from + readSize);
      RespBatch batch = parser.feed(ByteString.fromArray(input, from, to - from));
      if (failed) assertTrue(batch.isEmpty(), "nothing is parsed after a protocol error");
      if (batch.protocolError() != null) {
        assertTrue(batch.protocolError().startsWith("Protocol error: "), batch.protocolError());
        failed = true;
      }
      for (RespRequest request : batch.requests()) assertTrue(request.size() >= 1);
      assertTrue(parser.bufferCapacity() <= MAX_BUFFER, "buffer grew to " + parser.bufferCapacity());
    }
  }

  @Property
  void validFramesGiveTheSameRequestsHoweverTheyAreSplit(
      @ForAll("validRequests") List<List<byte[]>> requests, @ForAll @IntRange(min = 1, max = 64) int readSize) {
    byte[] input = encode(requests);
    RespParser parser = new RespParser(LIMITS);
    List<List<ByteString>> parsed = new ArrayList<>();
    for (int from = 0; from < input.length; from += readSize) {
      RespBatch batch = parser.feed(ByteString.fromArray(input, from, Math.min(readSize, input.length - from)));
      assertEquals(null, batch.protocolError());
      batch.requests().forEach(request -> parsed.add(request.args()));
    }
    List<List<ByteString>> expected = requests.stream()
        .map(args -> args.stream().map(ByteString::fromArray).toList()).toList();
    assertEquals(expected, parsed);
  }

  @Provide
  Arbitrary<byte[]> hostileInput() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
    Arbitrary<byte[]> mutated = Combinators.combine(
            validRequests(), Arbitraries.integers().between(0, 10_000), Arbitraries.bytes())
        .as((requests, position, value) -> {
          byte[] frame = encode(requests);
          if (frame.length > 0) frame[position % frame.length] = value;
          return frame;
        });
    Arbitrary<byte[]> lengths = Arbitraries.of(
            "*-1\r\n", "*0\r\n", "*99999999999999999999\r\n", "*1\r\n$-1\r\n", "*1\r\n$99999999\r\n",
            "*2\r\n$3\r\nGET\r\n$1\r\n", "\r\n\r\n", "\"unbalanced", "*1\r\n$3\r\nGETX", "*16\r\n")
        .map(text -> text.getBytes(StandardCharsets.ISO_8859_1));
    Arbitrary<byte[]> glued = Combinators.combine(lengths, random).as(RespParserFuzzTest::concat);
    return Arbitraries.oneOf(random, mutated, lengths, glued);
  }

  @Provide
  Arbitrary<List<List<byte[]>>> validRequests() {
    Arbitrary<byte[]> arg = Arbitraries.bytes().array(byte[].class).ofMaxSize(100);
    return arg.list().ofMinSize(1).ofMaxSize(8).list().ofMaxSize(6);
  }

  private static byte[] encode(List<List<byte[]>> requests) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (List<byte[]> args : requests) {
      out.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (byte[] arg : args) {
        out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(arg);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = new byte[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }
}
