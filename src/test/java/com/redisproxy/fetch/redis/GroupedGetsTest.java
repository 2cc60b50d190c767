package com.redisproxy.fetch.redis;

import static com.redisproxy.fetch.redis.MissBatchTest.bytes;
import static com.redisproxy.fetch.redis.MissBatchTest.channel;
import static com.redisproxy.fetch.redis.MissBatchTest.gets;
import static com.redisproxy.fetch.redis.MissBatchTest.reads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.fetch.KeyRead;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch's GETs sent as one MGET, then each key's PTTL: what is sent, and how the replies are read. */
class GroupedGetsTest {
  private final LettuceStandIn lettuce = new LettuceStandIn();
  private final EmbeddedChannel channel = channel(lettuce);

  private MissBatch sent(List<RedisFetcher.Wanted> keys) {
    MissBatch batch = new MissBatch(keys, true, true);
    channel.writeOutbound(batch.envelope());
    return batch;
  }

  private void replies(String wire) {
    channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.UTF_8));
  }

  private static String encoded(MissBatch batch) {
    ByteBuf out = Unpooled.buffer();
    batch.encode(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static final String ABC_REPLIES = "*3\r\n$2\r\nva\r\n$-1\r\n$2\r\nvc\r\n:-1\r\n:-2\r\n:1500\r\n";

  @Test
  void theGetsGoAsOneMgetThenEachKeysPttlThenTheOtherReads() {
    List<RedisFetcher.Wanted> reads = new ArrayList<>(gets("a", "b"));
    reads.add(1, new RedisFetcher.Wanted(bytes("h"), List.of(bytes("HLEN"), bytes("h")), true, 1));
    assertEquals("*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$4\r\nPTTL\r\n$1\r\na\r\n*2\r\n$4\r\nPTTL\r\n$1\r\nb\r\n"
        + "*2\r\n$4\r\nHLEN\r\n$1\r\nh\r\n*2\r\n$4\r\nPTTL\r\n$1\r\nh\r\n", encoded(new MissBatch(reads, true, true)));
  }

  @Test
  void oneGetOrNoPttlIsNotGrouped() {
    assertEquals("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$4\r\nPTTL\r\n$1\r\na\r\n", encoded(new MissBatch(gets("a"), true, true)));
    // Without PTTL a key of another type could not be told from an absent one: GET answers it.
    assertEquals("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n", encoded(new MissBatch(gets("a", "b"), false, true)));
  }

  @Test
  void answersEveryKeyInKeyOrder() {
    MissBatch batch = sent(gets("a", "b", "c"));
    replies(ABC_REPLIES.substring(0, ABC_REPLIES.length() - ":1500\r\n".length()));
    assertFalse(batch.answers().toCompletableFuture().isDone(), "a PTTL still to come");
    replies(":1500\r\n");
    List<KeyRead> reads = reads(batch);
    assertEquals(new RedisValue(bytes("va"), RedisValue.NO_EXPIRY, true, bytes("$2\r\nva\r\n")), reads.get(0).value());
    assertEquals(new RedisValue(null, RedisValue.NO_EXPIRY), reads.get(1).value());
    assertEquals(new RedisValue(bytes("vc"), 1500, true, bytes("$2\r\nvc\r\n")), reads.get(2).value());
    assertEquals(List.of(), batch.rereads());
    assertEquals(List.of("+OK\r\n"), lettuce.replies, "one reply for the whole batch");
  }

  @Test
  void repliesSplitAtEveryOffsetReadAlike() {
    // The assertions are the helper's: the same three reads whichever two pieces the replies come in.
    MissBatchTest.assertAbcReadAlikeSplitAtEveryOffset(() -> new MissBatch(gets("a", "b", "c"), true, true), ABC_REPLIES);
  }

  @Test
  void resp3sNullElementReadsAsAbsent() {
    MissBatch batch = sent(gets("a", "b"));
    replies("*2\r\n_\r\n$1\r\nv\r\n:-2\r\n:-1\r\n");
    assertNull(reads(batch).get(0).value().value());
    assertEquals(bytes("v"), reads(batch).get(1).value().value());
  }

  @Test
  void aKeyMgetFoundNullButPttlFoundIsReadAgainByGet() {
    // A list: MGET's null, where GET would answer WRONGTYPE.
    MissBatch batch = sent(gets("s", "list"));
    replies("*2\r\n$1\r\nv\r\n$-1\r\n:-1\r\n:-1\r\n");
    assertEquals(bytes("v"), reads(batch).get(0).value().value());
    assertNull(reads(batch).get(1), "no answer of its own: GET's replaces it");
    assertEquals(List.of(1), batch.rereads());
  }

  @Test
  void anMgetRedisRefusedHasEveryGetReadAgainAndItsPttlsReadOn() {
    MissBatch batch = sent(gets("a", "b"));
    replies("-NOPERM this user has no permissions to run the 'mget' command\r\n:-1\r\n:10\r\n");
    assertEquals(List.of(0, 1), batch.rereads());
    assertTrue(batch.envelope().isDone());
    assertTrue(channel.isOpen());
  }

  @Test
  void aConnectionLostAfterAnMgetRefusedFailsItsKeysWithNothingReadAgain() {
    MissBatch batch = sent(gets("a", "b"));
    replies("-NOPERM no mget\r\n:-1\r\n");
    batch.envelope().completeExceptionally(new io.lettuce.core.RedisConnectionException("connection lost"));
    assertEquals(List.of(), batch.rereads(), "nothing more is sent on a connection lost");
    for (KeyRead read : reads(batch)) {
      assertEquals(com.redisproxy.fetch.FetchError.UNAVAILABLE, com.redisproxy.fetch.FetchError.classify(read.failure()));
    }
  }

  @Test
  void anMgetAnsweredWithAnotherLengthClosesTheConnection() {
    MissBatch batch = sent(gets("a", "b"));
    replies("*3\r\n");
    assertFalse(channel.isOpen(), "replies that no longer match their commands are not read on");
    assertFalse(batch.envelope().isDone());
  }

  @Test
  void aBatchNotAnsweredByItsDeadlineReadsNothingAgain() {
    MissBatch batch = sent(gets("a", "b"));
    replies("-NOPERM no mget\r\n");
    batch.expire(java.time.Duration.ofSeconds(1));
    assertEquals(List.of(), batch.rereads());
  }
}
