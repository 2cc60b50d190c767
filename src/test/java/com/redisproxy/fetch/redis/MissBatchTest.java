package com.redisproxy.fetch.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.FetchError;
import com.redisproxy.fetch.KeyRead;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** A batch's replies read off the wire by {@link BatchReplies}, with a stand-in for Lettuce's command handler behind it; its GETs one by one (as one MGET: {@link GroupedGetsTest}). */
class MissBatchTest {

  private final LettuceStandIn lettuce = new LettuceStandIn();
  private final EmbeddedChannel channel = channel(lettuce);

  static EmbeddedChannel channel(LettuceStandIn lettuce) {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.pipeline().addLast(new BatchReplies(channel), lettuce);
    return channel;
  }

  static List<RedisFetcher.Wanted> gets(String... keys) {
    return Arrays.stream(keys).map(key -> new RedisFetcher.Wanted(bytes(key), 0)).toList();
  }

  static ByteString bytes(String text) {
    return ByteString.fromString(text);
  }

  private MissBatch sent(List<RedisFetcher.Wanted> keys, boolean withTtl) {
    MissBatch batch = new MissBatch(keys, withTtl, false);
    channel.writeOutbound(batch.envelope());
    return batch;
  }

  private void replies(String wire) {
    channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.UTF_8));
  }

  static List<KeyRead> reads(MissBatch batch) {
    assertTrue(batch.answers().toCompletableFuture().isDone(), "answered");
    return batch.answers().toCompletableFuture().join();
  }

  private static final String ABC_REPLIES = "$2\r\nva\r\n:-1\r\n$-1\r\n:-2\r\n$2\r\nvc\r\n:1500\r\n";

  @Test
  void answersEveryKeyInKeyOrderOnceTheLastReplyComes() {
    MissBatch batch = sent(gets("a", "b", "c"), true);
    replies(ABC_REPLIES.substring(0, ABC_REPLIES.length() - ":1500\r\n".length()));
    assertFalse(batch.answers().toCompletableFuture().isDone(), "one reply still to come");
    assertEquals(List.of(), lettuce.replies, "nothing for Lettuce before the batch is whole");
    replies(":1500\r\n");

    List<KeyRead> reads = reads(batch);
    // GET's value, and the reply as Redis framed it, which the cache keeps and a RESP client is sent
    assertEquals(new RedisValue(bytes("va"), RedisValue.NO_EXPIRY, true, bytes("$2\r\nva\r\n")), reads.get(0).value());
    assertEquals(new RedisValue(null, RedisValue.NO_EXPIRY), reads.get(1).value());
    assertEquals(new RedisValue(bytes("vc"), 1500, true, bytes("$2\r\nvc\r\n")), reads.get(2).value());
    assertEquals(List.of("+OK\r\n"), lettuce.replies, "one reply for the whole batch");
    assertTrue(batch.envelope().isDone(), "Lettuce completed the batch's one command");
  }

  @Test
  void repliesSplitAtEveryOffsetReadAlike() {
    // The assertions are the helper's: the same three reads whichever two pieces the replies come in.
    assertAbcReadAlikeSplitAtEveryOffset(() -> new MissBatch(gets("a", "b", "c"), true, false), ABC_REPLIES);
  }

  /** {@code wire}, the replies to a batch of a, b and c (a: va, no expiry; b: absent; c: vc, PTTL 1500), split in two at every offset, reads alike. */
  static void assertAbcReadAlikeSplitAtEveryOffset(Supplier<MissBatch> batches, String wire) {
    for (int split = 0; split <= wire.length(); split++) {
      LettuceStandIn stack = new LettuceStandIn();
      EmbeddedChannel channel = channel(stack);
      MissBatch batch = batches.get();
      channel.writeOutbound(batch.envelope());
      channel.writeInbound(Unpooled.copiedBuffer(wire.substring(0, split), StandardCharsets.UTF_8));
      channel.writeInbound(Unpooled.copiedBuffer(wire.substring(split), StandardCharsets.UTF_8));
      List<KeyRead> reads = reads(batch);
      assertEquals(new RedisValue(bytes("va"), RedisValue.NO_EXPIRY, true, bytes("$2\r\nva\r\n")), reads.get(0).value(), "split at " + split);
      assertNull(reads.get(1).value().value(), "split at " + split);
      assertEquals(new RedisValue(bytes("vc"), 1500, true, bytes("$2\r\nvc\r\n")), reads.get(2).value(), "split at " + split);
      assertEquals(List.of("+OK\r\n"), stack.replies, "split at " + split);
    }
  }

  @Test
  void encodesEachReadFollowedByItsKeysPttl() {
    List<RedisFetcher.Wanted> reads = List.of(new RedisFetcher.Wanted(bytes("a"), 0),
        new RedisFetcher.Wanted(bytes("h"), List.of(bytes("HGET"), bytes("h"), bytes("field-10")), true, 1));
    ByteBuf out = Unpooled.buffer();
    new MissBatch(reads, true, false).encode(out);
    assertEquals("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$4\r\nPTTL\r\n$1\r\na\r\n"
        + "*3\r\n$4\r\nHGET\r\n$1\r\nh\r\n$8\r\nfield-10\r\n*2\r\n$4\r\nPTTL\r\n$1\r\nh\r\n", out.toString(StandardCharsets.UTF_8));
    ByteBuf withoutTtl = Unpooled.buffer();
    new MissBatch(gets("key:0123456789"), false, false).encode(withoutTtl);
    assertEquals("*2\r\n$3\r\nGET\r\n$14\r\nkey:0123456789\r\n", withoutTtl.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aKeyDeletedBetweenItsGetAndItsPttlIsAbsent() {
    MissBatch batch = sent(gets("a"), true);
    replies("$3\r\nold\r\n:-2\r\n");
    assertNull(reads(batch).get(0).value().value());
  }

  @Test
  void resp3sNullReadsAsAbsent() {
    MissBatch batch = sent(gets("a"), false);
    replies("_\r\n");
    assertNull(reads(batch).get(0).value().value());
  }

  @Test
  void anErrorReplyFailsItsKeyAloneAndReadsAsLettucesOwn() {
    MissBatch batch = sent(gets("list", "s"), false);
    replies("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$1\r\nv\r\n");
    List<KeyRead> reads = reads(batch);
    assertEquals(FetchError.WRONG_TYPE, FetchError.classify(reads.get(0).failure()));
    assertEquals(bytes("v"), reads.get(1).value().value());
  }

  @Test
  void aCommandsReplyIsKeptWholeItsErrorReplyIncluded() {
    List<ByteString> hgetall = List.of(bytes("HGETALL"), bytes("h"));
    MissBatch batch = sent(List.of(new RedisFetcher.Wanted(bytes("h"), hgetall, true, 0),
        new RedisFetcher.Wanted(bytes("l"), hgetall, true, 1)), false);
    replies("%1\r\n$1\r\nf\r\n$1\r\nv\r\n:-1\r\n-WRONGTYPE Operation against a key\r\n:5000\r\n");
    List<KeyRead> reads = reads(batch);
    assertEquals(new RedisValue(bytes("%1\r\n$1\r\nf\r\n$1\r\nv\r\n"), RedisValue.NO_EXPIRY), reads.get(0).value());
    assertEquals(bytes("-WRONGTYPE Operation against a key\r\n"), reads.get(1).value().value(), "the error is the answer");
  }

  @Test
  void otherCommandsRepliesGoToLettuceWholeAndInOrder() {
    Command<ByteString, ByteString, String> before = ping();
    channel.writeOutbound(before);
    MissBatch batch = sent(gets("a"), false);
    Command<ByteString, ByteString, String> after = ping();
    channel.writeOutbound(after);
    replies("+PONG\r\n$1\r\nv\r\n+PONG\r\n");
    assertEquals(List.of("+PONG\r\n", "+OK\r\n", "+PONG\r\n"), lettuce.replies);
    assertTrue(before.isDone() && after.isDone() && batch.envelope().isDone());
    assertEquals(bytes("v"), reads(batch).get(0).value().value());
  }

  @Test
  void pushesGoToLettuceWhereverTheyCome() {
    MissBatch batch = sent(gets("a", "b"), false);
    String push = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n";
    replies("$1\r\nv\r\n" + push + "$1\r\nw\r\n");
    assertEquals(List.of(push, "+OK\r\n"), lettuce.replies);
    assertEquals(bytes("w"), reads(batch).get(1).value().value());
  }

  @Test
  void aConnectionLostFailsTheKeysNotAnsweredInFull() {
    MissBatch batch = sent(gets("a", "b"), true);
    replies("$2\r\nva\r\n:-1\r\n$2\r\nvb\r\n");
    batch.envelope().completeExceptionally(new RedisConnectionException("connection lost"));
    List<KeyRead> reads = reads(batch);
    assertEquals(bytes("va"), reads.get(0).value().value());
    assertEquals(FetchError.UNAVAILABLE, FetchError.classify(reads.get(1).failure()), "its PTTL never came");
  }

  @Test
  void repliesOfABatchThatFailedOnTheirWayAreReadOnAndTheRestGoesOnToLettuce() {
    MissBatch batch = sent(gets("a", "b"), false);
    Command<ByteString, ByteString, String> after = ping();
    channel.writeOutbound(after);
    replies("$2\r\nva\r\n");
    batch.envelope().completeExceptionally(new RedisException("failed while its replies were on their way"));
    replies("$2\r\nvb\r\n+PONG\r\n");
    assertEquals(bytes("va"), reads(batch).get(0).value().value());
    assertEquals(FetchError.UNAVAILABLE, FetchError.classify(reads(batch).get(1).failure()));
    assertEquals(List.of("+OK\r\n", "+PONG\r\n"), lettuce.replies, "the batch's replies counted, PING's passed on");
    assertTrue(channel.isOpen());
  }

  @Test
  void anExceptionOnTheConnectionClosesIt() {
    sent(gets("a"), false);
    channel.pipeline().fireExceptionCaught(new IllegalStateException("a decoder failed"));
    assertFalse(channel.isOpen(), "which reply is whose is no longer known");
  }

  @Test
  void anEnvelopeRefusedBeforeTheChannelFailsEveryKey() {
    MissBatch batch = new MissBatch(gets("a", "b"), true, false);
    batch.envelope().completeExceptionally(new RedisException("Request queue size exceeded"));
    List<KeyRead> reads = reads(batch);
    assertEquals(2, reads.size());
    reads.forEach(read -> assertTrue(read.failure() != null, "every key failed"));
  }

  @Test
  void aBatchNotAnsweredByItsDeadlineFailsWholeAndLateRepliesStillCompleteItsCommand() {
    MissBatch batch = sent(gets("a", "b"), false);
    replies("$2\r\nva\r\n");
    batch.expire(Duration.ofSeconds(1));
    replies("$4\r\nlate\r\n");
    for (KeyRead read : reads(batch)) assertEquals(FetchError.TIMEOUT, FetchError.classify(read.failure()));
    assertTrue(batch.envelope().isDone(), "off Lettuce's stack all the same");
  }

  @Test
  void aBatchsReplyThatCompletesAnotherCommandClosesTheConnection() {
    lettuce.stack.add(ping()); // on Lettuce's stack, never seen written: the two orders disagree
    MissBatch batch = sent(gets("a"), false);
    replies("$1\r\nv\r\n");
    assertFalse(batch.envelope().isDone());
    assertFalse(channel.isOpen(), "replies that no longer match their commands are not read on");
  }

  @Test
  void lettucesTimeoutIsTheFetchTimeoutForEveryCommandButABatchs() {
    TimeoutsOutsideBatches timeouts = new TimeoutsOutsideBatches(Duration.ofMillis(1500));
    MissBatch batch = new MissBatch(gets("a"), true, false);
    assertEquals(0, timeouts.getTimeout(batch.envelope()));
    assertTrue(MissBatch.sharesBatchDeadline(batch.envelope()));
    assertFalse(MissBatch.sharesBatchDeadline(ping()));
    assertEquals(Duration.ofMillis(1500), Duration.of(timeouts.getTimeout(ping()), timeouts.getTimeUnit().toChronoUnit()));
  }

  private static Command<ByteString, ByteString, String> ping() {
    return new Command<>(CommandType.PING, new StatusOutput<>(ByteStringCodec.INSTANCE));
  }
}
