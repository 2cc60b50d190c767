package com.redisproxy.fetch.redis;

import com.redisproxy.fetch.RedisFetcher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.fetch.KeyRead;

import io.lettuce.core.RedisException;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** What Lettuce's command handler receives from a fetch connection's pipeline. */
class BatchWriterTest {

  /** Stands where Lettuce's command handler is: before the writer, seen from a write. */
  private static final class Received extends ChannelOutboundHandlerAdapter {
    final List<Object> messages = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
      messages.add(message);
      promise.setSuccess();
    }
  }

  private static List<RedisFetcher.Wanted> gets(ByteString... keys) {
    return java.util.Arrays.stream(keys).map(key -> new RedisFetcher.Wanted(key, 0)).toList();
  }

  private static EmbeddedChannel channel(Received received) {
    EmbeddedChannel channel = new EmbeddedChannel(received);
    BatchWriter.ON_EVERY_CHANNEL.afterChannelInitialized(channel);
    return channel;
  }

  @Test
  void aBatchReachesTheCommandHandlerAsOneListOfItsCommandsInOrder() {
    Received received = new Received();
    EmbeddedChannel channel = channel(received);
    MissBatch batch = new MissBatch(gets(ByteString.fromString("a"), ByteString.fromString("b")), true);
    MissBatch.Envelope envelope = batch.envelope();

    channel.writeAndFlush(envelope);

    assertEquals(1, received.messages.size(), "one message");
    List<?> commands = (List<?>) received.messages.get(0);
    assertEquals(4, commands.size());
    assertEquals(List.of("GET", "PTTL", "GET", "PTTL"),
        commands.stream().map(command -> ((RedisCommand<?, ?, ?>) command).getType().toString()).toList());
    assertTrue(envelope.isDone(), "opened: Lettuce never writes it again");
  }

  @Test
  void otherMessagesPassAsTheyAre() {
    Received received = new Received();
    EmbeddedChannel channel = channel(received);
    Object other = "PING";
    channel.writeAndFlush(other);
    assertSame(other, received.messages.get(0));
  }

  @Test
  void anEnvelopeRefusedBeforeTheChannelFailsEveryKey() {
    MissBatch batch = new MissBatch(gets(ByteString.fromString("a"), ByteString.fromString("b")), true);
    batch.envelope().completeExceptionally(new RedisException("Request queue size exceeded"));
    List<KeyRead> reads = batch.answers().toCompletableFuture().join();
    assertEquals(2, reads.size());
    reads.forEach(read -> assertTrue(read.failure() != null, "every key failed"));
  }
}
