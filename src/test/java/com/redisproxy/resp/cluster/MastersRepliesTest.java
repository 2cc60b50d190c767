package com.redisproxy.resp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class MastersRepliesTest {
  private static List<ByteString> replies(String... replies) {
    return Arrays.stream(replies).map(ByteString::fromString).toList();
  }

  @Test
  void keysOfEveryMasterMakeOneArray() {
    assertEquals(ByteString.fromString("*3\r\n$1\r\na\r\n$2\r\nbb\r\n$1\r\nc\r\n"),
        MastersReplies.concatenated(replies("*2\r\n$1\r\na\r\n$2\r\nbb\r\n", "*0\r\n", "*1\r\n$1\r\nc\r\n")));
    assertEquals(ByteString.fromString("*0\r\n"), MastersReplies.concatenated(replies("*0\r\n", "*0\r\n")));
  }

  @Test
  void anErrorOfAnyMasterIsTheAnswer() {
    assertEquals(ByteString.fromString("-ERR busy\r\n"), MastersReplies.concatenated(replies("*0\r\n", "-ERR busy\r\n")));
    assertEquals(ByteString.fromString("-NOSCRIPT x\r\n"), MastersReplies.alike(replies("+OK\r\n", "-NOSCRIPT x\r\n")));
    assertEquals(ByteString.fromString("-ERR y\r\n"), MastersReplies.allOf(replies("-ERR y\r\n", "*1\r\n:1\r\n")));
    assertEquals(ByteString.fromString("-ERR z\r\n"), MastersReplies.randomKey(replies("$1\r\na\r\n", "-ERR z\r\n"), RandomGenerator.getDefault()));
  }

  @Test
  void aScriptLoadedEverywhereAnswersAsOneRedisWould() {
    assertEquals(ByteString.fromString("$3\r\nabc\r\n"), MastersReplies.alike(replies("$3\r\nabc\r\n", "$3\r\nabc\r\n")));
  }

  @Test
  void aScriptExistsWhereEveryMasterHasIt() {
    assertEquals(ByteString.fromString("*3\r\n:1\r\n:0\r\n:0\r\n"),
        MastersReplies.allOf(replies("*3\r\n:1\r\n:1\r\n:0\r\n", "*3\r\n:1\r\n:0\r\n:0\r\n")));
  }

  @Test
  void aRandomKeyComesFromAMasterThatHasOne() {
    RandomGenerator first = new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public int nextInt(int bound) {
        return 0;
      }
    };
    assertEquals(ByteString.fromString("$1\r\nk\r\n"), MastersReplies.randomKey(replies("$-1\r\n", "$1\r\nk\r\n", "$-1\r\n"), first));
    assertEquals(ByteString.fromString("$-1\r\n"), MastersReplies.randomKey(replies("$-1\r\n", "$-1\r\n"), first));
  }

  @Test
  void aScanPageIsItsCursorAndItsKeysAsSent() {
    MastersReplies.ScanPage page = MastersReplies.scanPage(ByteString.fromString("*2\r\n$3\r\n176\r\n*1\r\n$1\r\nk\r\n")).orElseThrow();
    assertEquals("176", page.cursor());
    assertEquals(ByteString.fromString("*1\r\n$1\r\nk\r\n"), page.keys());
    assertEquals(ByteString.fromString("*2\r\n$4\r\n1234\r\n*1\r\n$1\r\nk\r\n"), MastersReplies.scanReply("1234", page.keys()));
    assertEquals(Optional.empty(), MastersReplies.scanPage(ByteString.fromString("-ERR invalid cursor\r\n")));
  }
}
