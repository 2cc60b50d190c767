package com.redisproxy.resp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RespParserTest {
  static final RespLimits LIMITS = RespLimits.defaults()
      .withMaxBulkBytes(64).withMaxArrayLength(8).withMaxInlineBytes(128).withMaxRequestBytes(256);

  private static RespParser parser() {
    return new RespParser(LIMITS);
  }

  private static ByteString bytes(String text) {
    return ByteString.fromString(text, StandardCharsets.ISO_8859_1);
  }

  private static List<String> words(RespRequest request) {
    return request.args().stream().map(arg -> arg.decodeString(StandardCharsets.ISO_8859_1)).toList();
  }

  private static List<List<String>> parseAll(RespParser parser, String... chunks) {
    List<List<String>> requests = new ArrayList<>();
    for (String chunk : chunks) {
      RespBatch batch = parser.feed(bytes(chunk));
      assertNull(batch.protocolError(), "unexpected protocol error");
      batch.requests().forEach(request -> requests.add(words(request)));
    }
    return requests;
  }

  private static String errorFor(String input) {
    RespBatch batch = parser().feed(bytes(input));
    assertTrue(batch.protocolError() != null, "expected a protocol error for " + input.replace("\r\n", "\\r\\n"));
    return batch.protocolError();
  }

  @Test
  void parsesAnArrayOfBulkStrings() {
    assertEquals(List.of(List.of("GET", "key")), parseAll(parser(), "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"));
  }

  @Test
  void parsesEveryFrameOfAPipelineInOneRead() {
    String three = "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n";
    assertEquals(List.of(List.of("PING"), List.of("GET", "a"), List.of("ECHO", "")), parseAll(parser(), three));
  }

  @Test
  void framesSplitAtEveryByteOffsetGiveTheSameRequests() {
    String input = "*3\r\n$4\r\nMGET\r\n$2\r\nk1\r\n$5\r\na\r\nb\n\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n";
    List<List<String>> whole = parseAll(parser(), input);
    assertEquals(List.of(List.of("MGET", "k1", "a\r\nb\n"), List.of("PING"), List.of("QUIT")), whole);
    for (int split = 0; split <= input.length(); split++) {
      assertEquals(whole, parseAll(parser(), input.substring(0, split), input.substring(split)), "split at " + split);
    }
    for (int first = 0; first <= input.length(); first++) {
      for (int second = first; second <= input.length(); second++) {
        List<List<String>> pieces = parseAll(parser(),
            input.substring(0, first), input.substring(first, second), input.substring(second));
        assertEquals(whole, pieces, "split at " + first + " and " + second);
      }
    }
  }

  @Test
  void feedingOneByteAtATimeWorks() {
    String input = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\nPING\r\n";
    RespParser parser = parser();
    List<List<String>> requests = new ArrayList<>();
    for (char c : input.toCharArray()) parser.feed(bytes(String.valueOf(c))).requests().forEach(r -> requests.add(words(r)));
    assertEquals(List.of(List.of("GET", "key"), List.of("PING")), requests);
  }

  @Test
  void bulkStringsAreBinarySafe() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) all[i] = (byte) i;
    RespParser parser = new RespParser(LIMITS.withMaxBulkBytes(1024).withMaxRequestBytes(4096));
    ByteString frame = bytes("*2\r\n$3\r\nGET\r\n$256\r\n").concat(ByteString.fromArray(all)).concat(bytes("\r\n"));
    RespBatch batch = parser.feed(frame);
    assertEquals(ByteString.fromArray(all), batch.requests().get(0).arg(1));
  }

  @Test
  void inlineCommandsSplitOnSpacesAndHonourQuotes() {
    assertEquals(
        List.of(List.of("PING"), List.of("GET", "a key", "it's"), List.of("ECHO", "x\"y")),
        parseAll(parser(), "PING\r\n\r\n  GET \"a key\" \"it's\"\nECHO 'x\"y'\r\n"));
  }

  @Test
  void inlineWordsAreSplitAsRedisSplitsThem() {
    // Each expectation is what redis-server 7.0 stored for the same line sent inline (RPUSH, LRANGE).
    assertEquals(List.of(List.of("RPUSH", "l", "a\\x41b"), List.of("RPUSH", "l", "aAb"),
            List.of("RPUSH", "l", "a\nb", "c'd"), List.of("RPUSH", "l", "it's", "x\"y"), List.of("RPUSH", "l", "x4g", "q"),
            List.of("RPUSH", "l", "a\u000bb"), List.of("RPUSH", "l", "c"), List.of("RPUSH", "l", "a\\nb"), List.of("RPUSH", "l", "", "x")),
        parseAll(parser(), "RPUSH l a\\x41b\r\nRPUSH l \"a\\x41b\"\r\nRPUSH l \"a\\nb\" 'c\\'d'\r\n"
            + "RPUSH l 'it\\'s' \"x\\\"y\"\r\nRPUSH l \"\\x4g\" \"\\q\"\r\nRPUSH l a\u000bb\r\nRPUSH l \u000b c\r\n"
            + "RPUSH l 'a\\nb'\r\nRPUSH l \"\" x\r\n"));
  }

  @Test
  void aClosingQuoteFollowedByMoreOfTheWordIsUnbalancedAsInRedis() {
    assertEquals("Protocol error: unbalanced quotes in request", errorFor("RPUSH l ab\"cd\"ef\r\n"));
    assertEquals("Protocol error: unbalanced quotes in request", errorFor("RPUSH l \"ab\"cd\r\n"));
    assertEquals("Protocol error: unbalanced quotes in request", errorFor("RPUSH l \"unterminated\r\n"));
  }

  @Test
  void emptyAndNegativeArraysAreSkippedAsRedisDoes() {
    assertEquals(List.of(List.of("PING")), parseAll(parser(), "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n"));
  }

  @Test
  void requestsBeforeAProtocolErrorAreStillReturned() {
    RespBatch batch = parser().feed(bytes("*1\r\n$4\r\nPING\r\n*x\r\n"));
    assertEquals(1, batch.requests().size());
    assertEquals("Protocol error: invalid multibulk length", batch.protocolError());
  }

  @Test
  void afterAProtocolErrorNothingMoreIsParsed() {
    RespParser parser = parser();
    assertTrue(parser.feed(bytes("*1\r\n$x\r\n")).protocolError() != null);
    assertTrue(parser.feed(bytes("*1\r\n$4\r\nPING\r\n")).isEmpty());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "*x\\r\\n                       | Protocol error: invalid multibulk length",
      "*1x\\r\\n                      | Protocol error: invalid multibulk length",
      "*9\\r\\n                       | Protocol error: invalid multibulk length (9 elements, the limit is 8)",
      "*99999999999999999999\\r\\n    | Protocol error: invalid multibulk length",
      "*1\\r\\n$-5\\r\\n               | Protocol error: invalid bulk length",
      "*1\\r\\n$abc\\r\\n              | Protocol error: invalid bulk length",
      "*1\\r\\n$1000000000\\r\\n       | Protocol error: invalid bulk length (1000000000 bytes, the limit is 64)",
      "*1\\r\\n$65\\r\\n               | Protocol error: invalid bulk length (65 bytes, the limit is 64)",
      "*1\\r\\n:5\\r\\n                | Protocol error: expected '$', got ':'",
      "*1\\r\\n$4\\r\\nPINGxx          | Protocol error: expected CRLF after a bulk string of 4 bytes",
      "*1\\r\\n$4\\r\\nPING\\n\\n      | Protocol error: expected CRLF after a bulk string of 4 bytes",
      "GET \"unclosed\\r\\n             | Protocol error: unbalanced quotes in request",
  })
  void malformedInputIsAProtocolErrorThatSaysWhatWasExpected(String input, String error) {
    assertEquals(error, errorFor(input.strip().replace("\\r", "\r").replace("\\n", "\n")));
  }

  @Test
  void aHeaderLineThatNeverEndsIsAnErrorNotABuffer() {
    assertEquals("Protocol error: invalid multibulk length", errorFor("*" + "1".repeat(40)));
    assertEquals("Protocol error: invalid bulk length", errorFor("*1\r\n$" + "1".repeat(40)));
  }

  @Test
  void anInlineLineOverTheLimitIsAnError() {
    assertEquals("Protocol error: too big inline request", errorFor("GET " + "k".repeat(200)));
  }

  @Test
  void theArgumentsOfOneRequestTogetherAreBounded() {
    String arg = "$60\r\n" + "v".repeat(60) + "\r\n";
    assertTrue(errorFor("*5\r\n" + arg.repeat(5)).startsWith("Protocol error: request larger than 256 bytes"));
  }

  @Test
  void tinyArgumentsCountWhatTheyWeighNotOnlyTheirBytes() {
    // 5 empty arguments hold 5 ByteStrings: 5 * 48 bytes of overhead is over 200 bytes.
    RespParser parser = new RespParser(RespLimits.defaults().withMaxRequestBytes(200));
    assertTrue(parser.feed(bytes("*5\r\n" + "$0\r\n\r\n".repeat(5))).protocolError().startsWith("Protocol error: request larger than 200 bytes"));
  }

  @Test
  void byDefaultTheLimitsAreRedissOwn() {
    RespParser parser = new RespParser(RespLimits.defaults());
    StringBuilder sadd = new StringBuilder("*100002\r\n$4\r\nSADD\r\n$3\r\nset\r\n");
    for (int i = 0; i < 100_000; i++) sadd.append("$").append(String.valueOf(i).length()).append("\r\n").append(i).append("\r\n");
    RespBatch batch = parser.feed(bytes(sadd.toString()));
    assertNull(batch.protocolError(), "Redis takes a SADD of 100,000 members");
    assertEquals(100_002, batch.requests().get(0).size());
    assertEquals("Protocol error: invalid multibulk length", new RespParser(RespLimits.defaults()).feed(bytes("*2147483648\r\n")).protocolError());
    assertNull(new RespParser(RespLimits.defaults()).feed(bytes("*1\r\n$536870912\r\n")).protocolError(), "512 MiB: Redis's proto-max-bulk-len");
    assertEquals("Protocol error: invalid bulk length (536870913 bytes, the limit is 536870912)",
        new RespParser(RespLimits.defaults()).feed(bytes("*1\r\n$536870913\r\n")).protocolError());
  }

  @Test
  void aClientThatHasNotAuthenticatedHasRedissTighterLimits() {
    assertEquals("Protocol error: unauthenticated multibulk length", unauthenticated().feed(bytes("*11\r\n")).protocolError());
    assertEquals("Protocol error: unauthenticated bulk length", unauthenticated().feed(bytes("*1\r\n$16385\r\n")).protocolError());
    RespParser parser = unauthenticated();
    assertEquals(List.of(List.of("SET", "k", "v"), List.of("MGET", "1", "2", "3", "4", "5", "6", "7", "8", "9")),
        parseAll(parser, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*10\r\n$4\r\nMGET" + "\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3"
            + "\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n"));
  }

  @Test
  void requestsPipelinedAfterAuthAreReadWithTheLimitsAuthLeaves() {
    String big = "x".repeat(20_000);
    RespParser parser = unauthenticated();
    RespBatch batch = parser.feed(bytes("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20000\r\n" + big + "\r\n"));
    assertNull(batch.protocolError(), "AUTH runs before the SET after it");
    assertEquals(2, batch.requests().size());
    assertEquals("Protocol error: unauthenticated bulk length", parser.feed(bytes("*1\r\n$20000\r\n")).protocolError(),
        "a later read, still unauthenticated (the AUTH failed), has the tight limits again");
    assertEquals("Protocol error: unauthenticated bulk length",
        unauthenticated().feed(bytes("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n*1\r\n$20000\r\n")).protocolError(),
        "a HELLO without AUTH authenticates nothing: the request after it keeps the tight limits");
    assertNull(unauthenticated().feed(bytes("*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$1\r\nu\r\n$1\r\np\r\n"
        + "*1\r\n$20000\r\n")).protocolError(), "HELLO ... AUTH does, as AUTH");
  }

  @Test
  void everyConnectionsRequestsBeingReadShareOneBudget() {
    ReadingBudget budget = new ReadingBudget(1000);
    RespParser first = new RespParser(RespLimits.defaults(), budget, () -> false);
    RespParser second = new RespParser(RespLimits.defaults(), budget, () -> false);
    assertNull(first.feed(bytes("*1\r\n$800\r\npartial")).protocolError());
    assertEquals(848, budget.taken());
    assertTrue(second.feed(bytes("*1\r\n$800\r\n")).protocolError().startsWith("Protocol error: the proxy is reading 1000 bytes"));
    assertEquals(848, budget.taken(), "the refused request took nothing");
    assertNull(first.feed(bytes("v".repeat(800 - "partial".length()) + "\r\n")).protocolError());
    assertEquals(0, budget.taken(), "a request read whole gives its bytes back");
    assertNull(first.feed(bytes("*1\r\n$800\r\npartial")).protocolError());
    first.release();
    assertEquals(0, budget.taken(), "a closed connection gives back what it held");
  }

  private static RespParser unauthenticated() {
    return new RespParser(RespLimits.defaults(), ReadingBudget.unbounded(), () -> true);
  }
}
