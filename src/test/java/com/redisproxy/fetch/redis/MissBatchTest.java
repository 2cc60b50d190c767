package com.redisproxy.fetch.redis;

import com.redisproxy.fetch.RedisFetcher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.FetchError;
import com.redisproxy.fetch.KeyRead;
import com.redisproxy.fetch.RedisValue;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** A batch's commands answered as Lettuce's command handler answers them: output first, then complete. */
class MissBatchTest {

  private static List<RedisFetcher.Wanted> gets(ByteString... keys) {
    return java.util.Arrays.stream(keys).map(key -> new RedisFetcher.Wanted(key, 0)).toList();
  }

  private static ByteString bytes(String text) {
    return ByteString.fromString(text);
  }

  private static void reply(RedisCommand<ByteString, ByteString, ?> command, String bulk) {
    command.getOutput().set(ByteBuffer.wrap(bulk.getBytes(StandardCharsets.UTF_8)));
    command.complete();
  }

  private static void reply(RedisCommand<ByteString, ByteString, ?> command, long integer) {
    command.getOutput().set(integer);
    command.complete();
  }

  private static void nil(RedisCommand<ByteString, ByteString, ?> command) {
    command.getOutput().set((ByteBuffer) null);
    command.complete();
  }

  private static void error(RedisCommand<ByteString, ByteString, ?> command, String text) {
    command.getOutput().setError(text);
    command.complete();
  }

  @Test
  void answersEveryKeyInKeyOrderOnceTheLastReplyComes() {
    MissBatch batch = new MissBatch(gets(bytes("a"), bytes("b"), bytes("c")), true);
    List<RedisCommand<ByteString, ByteString, ?>> commands = batch.commands();
    assertEquals(6, commands.size(), "a GET and a PTTL a key");
    reply(commands.get(0), "va");
    reply(commands.get(1), -1);
    nil(commands.get(2));
    reply(commands.get(3), -2);
    reply(commands.get(4), "vc");
    assertFalse(batch.answers().toCompletableFuture().isDone(), "one reply still to come");
    reply(commands.get(5), 1500);

    List<KeyRead> reads = batch.answers().toCompletableFuture().join();
    assertEquals(new RedisValue(bytes("va"), RedisValue.NO_EXPIRY), reads.get(0).value());
    assertEquals(new RedisValue(null, RedisValue.NO_EXPIRY), reads.get(1).value());
    assertEquals(new RedisValue(bytes("vc"), 1500), reads.get(2).value());
  }

  @Test
  void aKeyDeletedBetweenItsGetAndItsPttlIsAbsent() {
    MissBatch batch = new MissBatch(gets(bytes("a")), true);
    List<RedisCommand<ByteString, ByteString, ?>> commands = batch.commands();
    reply(commands.get(0), "old");
    reply(commands.get(1), -2);
    assertNull(batch.answers().toCompletableFuture().join().get(0).value().value());
  }

  @Test
  void anErrorReplyFailsItsKeyAloneAndReadsAsLettucesOwn() {
    MissBatch batch = new MissBatch(gets(bytes("list"), bytes("s")), false);
    List<RedisCommand<ByteString, ByteString, ?>> commands = batch.commands();
    error(commands.get(0), "WRONGTYPE Operation against a key holding the wrong kind of value");
    reply(commands.get(1), "v");

    List<KeyRead> reads = batch.answers().toCompletableFuture().join();
    assertEquals(FetchError.WRONG_TYPE, FetchError.classify(reads.get(0).failure()));
    assertEquals(bytes("v"), reads.get(1).value().value());
  }

  @Test
  void aConnectionLostFailsTheKeysItHeld() {
    MissBatch batch = new MissBatch(gets(bytes("a"), bytes("b")), false);
    List<RedisCommand<ByteString, ByteString, ?>> commands = batch.commands();
    reply(commands.get(0), "va");
    commands.get(1).completeExceptionally(new RedisConnectionException("connection lost"));

    List<KeyRead> reads = batch.answers().toCompletableFuture().join();
    assertEquals(bytes("va"), reads.get(0).value().value());
    assertEquals(FetchError.UNAVAILABLE, FetchError.classify(reads.get(1).failure()));
  }

  @Test
  void aCommandCompletedTwiceIsCountedOnce() {
    // Lettuce completes a command whose reply failed to decode exceptionally, then normally.
    MissBatch batch = new MissBatch(gets(bytes("a"), bytes("b")), false);
    List<RedisCommand<ByteString, ByteString, ?>> commands = batch.commands();
    commands.get(0).completeExceptionally(new IllegalStateException("decode failed"));
    commands.get(0).complete();
    assertFalse(batch.answers().toCompletableFuture().isDone(), "b has no reply yet");
    reply(commands.get(1), "vb");
    List<KeyRead> reads = batch.answers().toCompletableFuture().join();
    assertEquals(FetchError.UNAVAILABLE, FetchError.classify(reads.get(0).failure()));
    assertEquals(bytes("vb"), reads.get(1).value().value());
  }

  @Test
  void aBatchNotAnsweredByItsDeadlineFailsWholeAndLateRepliesAreIgnored() {
    MissBatch batch = new MissBatch(gets(bytes("a"), bytes("b")), false);
    List<RedisCommand<ByteString, ByteString, ?>> commands = batch.commands();
    reply(commands.get(0), "va");
    batch.expire(Duration.ofSeconds(1));
    reply(commands.get(1), "late");

    List<KeyRead> reads = batch.answers().toCompletableFuture().join();
    for (KeyRead read : reads) assertEquals(FetchError.TIMEOUT, FetchError.classify(read.failure()));
    assertTrue(batch.ended());
  }

  @Test
  void lettucesTimeoutIsTheFetchTimeoutForEveryCommandButABatchs() {
    TimeoutsOutsideBatches timeouts = new TimeoutsOutsideBatches(Duration.ofMillis(1500));
    MissBatch batch = new MissBatch(gets(bytes("a")), true);
    for (RedisCommand<ByteString, ByteString, ?> command : batch.commands()) assertEquals(0, timeouts.getTimeout(command));
    assertEquals(0, timeouts.getTimeout(batch.envelope()));
    Command<ByteString, ByteString, String> ping = new Command<>(CommandType.PING, new StatusOutput<>(ByteStringCodec.INSTANCE));
    assertEquals(Duration.ofMillis(1500), Duration.of(timeouts.getTimeout(ping), timeouts.getTimeUnit().toChronoUnit()));
  }

  @Test
  void onlyABatchsCommandsSkipLettucesPerCommandTimeout() {
    MissBatch batch = new MissBatch(gets(bytes("a")), true);
    for (RedisCommand<ByteString, ByteString, ?> command : batch.commands()) {
      assertTrue(MissBatch.sharesBatchDeadline(command));
    }
    assertFalse(MissBatch.sharesBatchDeadline(new Command<>(CommandType.PING, new StatusOutput<>(ByteStringCodec.INSTANCE))));
  }
}
