package com.redisproxy.resp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.redisproxy.resp.codec.RespRequest;
import java.util.Arrays;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class BlockingWaitTest {
  private static BlockingWait of(String... args) {
    return BlockingWait.of(new RespRequest(Arrays.stream(args).map(ByteString::fromString).toList()));
  }

  private static BlockingWait millis(long millis) {
    return new BlockingWait(millis * 1_000_000);
  }

  @Test
  void readsTheTimeoutInSecondsWhereEachListAndSortedSetCommandHasIt() {
    assertEquals(millis(5000), of("BLPOP", "a", "b", "5"));
    assertEquals(millis(500), of("brpop", "a", "0.5"));
    assertEquals(millis(1500), of("BZPOPMIN", "z", "1.5"));
    assertEquals(millis(2000), of("BRPOPLPUSH", "a", "b", "2"));
    assertEquals(millis(3000), of("BLMOVE", "a", "b", "LEFT", "RIGHT", "3"));
    assertEquals(millis(4000), of("BLMPOP", "4", "1", "a", "LEFT"));
    assertEquals(millis(4000), of("BZMPOP", "4", "1", "z", "MIN"));
  }

  @Test
  void readsMillisecondsForWaitAndTheBlockOptionOfStreamReads() {
    assertEquals(millis(250), of("WAIT", "1", "250"));
    assertEquals(millis(250), of("WAITAOF", "1", "0", "250"));
    assertEquals(millis(100), of("XREAD", "COUNT", "2", "BLOCK", "100", "STREAMS", "s", "$"));
    assertEquals(millis(100), of("XREADGROUP", "GROUP", "g", "c", "block", "100", "STREAMS", "s", ">"));
  }

  @Test
  void zeroWaitsWithNoEnd() {
    assertEquals(BlockingWait.ENDLESS, of("BLPOP", "a", "0"));
    assertEquals(BlockingWait.ENDLESS, of("BLMPOP", "0", "1", "a", "LEFT"));
    assertEquals(BlockingWait.ENDLESS, of("WAIT", "1", "0"));
    assertEquals(BlockingWait.ENDLESS, of("XREAD", "BLOCK", "0", "STREAMS", "s", "$"));
    assertEquals(BlockingWait.ENDLESS, of("BLPOP", "a", "1e300"));
  }

  @Test
  void whatRedisRefusesOrDoesNotBlockHoldsNothingBack() {
    assertEquals(BlockingWait.NONE, of("BLPOP", "a", "-1"));
    assertEquals(BlockingWait.NONE, of("BLPOP", "a", "soon"));
    assertEquals(BlockingWait.NONE, of("BLPOP", "a"));
    assertEquals(BlockingWait.NONE, of("WAIT", "1", "-5"));
    assertEquals(BlockingWait.NONE, of("XREAD", "STREAMS", "block", "0"));
    assertEquals(BlockingWait.NONE, of("XREAD", "COUNT", "1", "STREAMS", "s", "0"));
    assertEquals(BlockingWait.NONE, of("GET", "k"));
  }
}
