package com.redisproxy.fetch.redis;

import com.redisproxy.fetch.LeaseHeartbeat;
import com.redisproxy.fetch.raw.RepliesSkipped;
import io.lettuce.core.ConnectionEvents;
import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.protocol.CommandWrapper;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.protocol.RedisStateMachine;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.function.LongConsumer;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands just before Lettuce's command handler on a fetch connection and reads the replies of
 * every {@link MissBatch} off the wire into the batch, so that Lettuce handles a batch as one
 * command: once a batch's last reply is in, Lettuce gets one short reply ({@code +OK}) that
 * completes the batch's {@link MissBatch.Envelope}. Every other reply (Lettuce's own commands,
 * Redis's pushes) goes on to Lettuce whole, one at a time.
 *
 * <p>Which reply is whose: Redis answers in the order commands were written, so the commands
 * Lettuce's handler writes (each after putting it on its stack) are noted here in that order, a
 * batch as one entry. A write that fails closes the channel, as does a batch's reply that does
 * not complete its envelope: a connection whose replies no longer match its commands is never
 * read from again (the fetchers open another).
 */
final class BatchReplies extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(BatchReplies.class);
  private static final ByteBuf BATCH_DONE =
      Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer("+OK\r\n".getBytes(StandardCharsets.US_ASCII)));

  /** Puts one on every channel Lettuce makes, just before its command handler; channels without one are left alone. */
  static final NettyCustomizer ON_EVERY_CHANNEL = new NettyCustomizer() {
    @Override
    public void afterChannelInitialized(Channel channel) {
      ChannelHandlerContext lettuce = channel.pipeline().context(CommandHandler.class);
      if (lettuce != null) channel.pipeline().addBefore(lettuce.name(), "miss-batch-replies", new BatchReplies(channel));
    }
  };

  // The commands written and not yet answered, oldest first: a MissBatch, or Lettuce's own command.
  private final ArrayDeque<Object> written = new ArrayDeque<>();
  private final RedisStateMachine framer = new RedisStateMachine();
  private final ByteBuf pending;
  // Bytes at the head of pending that the framer has already read, of a reply not yet whole.
  private int scanned;
  // Told of every read: the heartbeat of the connection, named by its PING, judges silence on any reply.
  private LongConsumer heard = at -> {};

  BatchReplies(Channel channel) {
    this.pending = channel.alloc().buffer();
  }

  @Override
  public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
    if (message instanceof RedisCommand<?, ?, ?> command) {
      note(context, command);
    } else if (message instanceof Collection<?> commands) {
      for (Object command : commands) note(context, command);
    }
    if (!promise.isVoid()) promise.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    context.write(message, promise);
  }

  private void note(ChannelHandlerContext context, Object command) {
    if (command instanceof RedisCommand<?, ?, ?> lettuces) {
      LeaseHeartbeat.Ping ping = CommandWrapper.unwrap(lettuces, LeaseHeartbeat.Ping.class);
      if (ping != null) heard = ping.readOn(context.executor());
    }
    written.add(command instanceof MissBatch.Envelope envelope ? envelope.batch() : command);
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object message) {
    if (!(message instanceof ByteBuf bytes)) {
      context.fireChannelRead(message);
      return;
    }
    heard.accept(System.nanoTime());
    // One buffer, not a composite: Lettuce's decoder reads through nioBuffer views of it.
    pending.writeBytes(bytes);
    bytes.release();
    try {
      readReplies(context);
    } catch (RuntimeException unexpected) {
      // Which reply is whose is no longer known: the connection is not read from again.
      log.error("Closing a fetch connection after a reply it could not read ({})", context.channel(), unexpected);
      pending.clear();
      context.close();
    }
  }

  private void readReplies(ChannelHandlerContext context) {
    while (pending.isReadable() && context.channel().isOpen()) {
      // pending starts with the reply being read, however much of it the framer has scanned
      boolean push = pending.getByte(pending.readerIndex()) == '>';
      if (!push && written.peek() instanceof MissBatch batch) {
        if (!readInto(batch)) break;
        if (batch.allAnswered()) finish(context, batch);
      } else {
        ByteBuf reply = whole();
        if (reply == null) break;
        if (!push) written.poll();
        context.fireChannelRead(reply);
      }
    }
    pending.discardSomeReadBytes();
  }

  // Lettuce's handler takes the oldest command off its stack for an exception it is told of, which
  // this order would not follow: the connection is closed instead (every command in flight fails).
  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    context.close();
    context.fireExceptionCaught(cause);
  }

  // The batch's next reply, if all there: GET's, MGET's and PTTL's read here, any other kept whole.
  private boolean readInto(MissBatch batch) {
    MissBatch.Expected expected = batch.expected();
    byte type = pending.getByte(pending.readerIndex());
    boolean simple = expected == MissBatch.Expected.GROUP ? type == '*' || type == '-' : expected != MissBatch.Expected.WHOLE && "$_:-".indexOf(type) >= 0;
    if (scanned == 0 && simple) return readSimple(batch, type);
    ByteBuf reply = whole();
    if (reply == null) return false;
    try {
      if (expected == MissBatch.Expected.WHOLE) {
        batch.value(copy(reply, reply.readerIndex(), reply.readableBytes()));
      } else if (expected == MissBatch.Expected.GROUP && type != '!') {
        throw new IllegalStateException("MGET answered with " + reply.toString(StandardCharsets.UTF_8).strip());
      } else if (type == '!') {
        batch.error(reply.toString(StandardCharsets.UTF_8).substring(reply.indexOf(0, reply.writerIndex(), (byte) '\n') + 1).strip());
      } else {
        batch.error("ERR unexpected reply to " + expected + ": " + reply.toString(StandardCharsets.UTF_8).strip());
      }
    } finally {
      reply.release();
    }
    return true;
  }

  // A bulk string, a null, an integer, an error or MGET's header: one line, and a bulk string's bytes.
  private boolean readSimple(MissBatch batch, byte type) {
    int start = pending.readerIndex();
    int lineEnd = pending.indexOf(start + 1, pending.writerIndex(), (byte) '\n');
    if (lineEnd < 0) return false;
    if (type == '-') {
      batch.error(pending.toString(start + 1, lineEnd - 1 - (start + 1), StandardCharsets.UTF_8));
    } else if (type == '_') {
      batch.value(null);
    } else {
      long number = decimal(start + 1, lineEnd - 1);
      if (type == '*') {
        batch.group(number);
      } else if (type == ':') {
        if (batch.expected() == MissBatch.Expected.TTL) batch.ttl(number);
        else batch.error("ERR unexpected integer reply to GET: " + number);
      } else if (number < 0) {
        batch.value(null);
      } else {
        int bodyEnd = lineEnd + 1 + (int) number;
        if (bodyEnd + 2 > pending.writerIndex()) return false;
        if (batch.expected() == MissBatch.Expected.VALUE) {
          // The reply as Redis framed it, copied once: the cache keeps it, a RESP client is sent it.
          ByteString bulk = copy(pending, start, bodyEnd + 2 - start);
          batch.value(ByteString.fromArrayUnsafe(bulk.toArrayUnsafe(), lineEnd + 1 - start, (int) number), bulk);
        } else {
          batch.error("ERR unexpected bulk reply to PTTL");
        }
        pending.readerIndex(bodyEnd + 2);
        return true;
      }
    }
    pending.readerIndex(lineEnd + 1);
    return true;
  }

  private long decimal(int from, int to) {
    boolean negative = pending.getByte(from) == '-';
    long value = 0;
    for (int at = negative ? from + 1 : from; at < to; at++) value = value * 10 + (pending.getByte(at) - '0');
    return negative ? -value : value;
  }

  private static ByteString copy(ByteBuf from, int index, int length) {
    byte[] bytes = new byte[length];
    from.getBytes(index, bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  // The batch's replies are all in: Lettuce completes its envelope with one short reply, which must
  // be the envelope's, or Lettuce's stack and this order disagree.
  private void finish(ChannelHandlerContext context, MissBatch batch) {
    written.poll();
    context.fireChannelRead(BATCH_DONE.duplicate());
    if (!batch.envelope().isDone()) {
      log.error("A fetch connection's replies no longer match its commands; closing it ({})", context.channel());
      context.close();
    }
  }

  // One whole reply off the head of pending, for whoever reads it next; null until it is all there.
  // Where it ends is found by Lettuce's own decoder.
  private ByteBuf whole() {
    ByteBuf unread = pending.slice(pending.readerIndex() + scanned, pending.readableBytes() - scanned);
    if (!framer.decode(unread, RepliesSkipped.INSTANCE)) {
      scanned += unread.readerIndex();
      return null;
    }
    ByteBuf reply = pending.readRetainedSlice(scanned + unread.readerIndex());
    scanned = 0;
    return reply;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
    // Lettuce empties its stack and its read buffer on a reset: so does this.
    if (event instanceof ConnectionEvents.Reset) {
      written.clear();
      pending.clear();
      framer.reset();
      scanned = 0;
    }
    super.userEventTriggered(context, event);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext context) {
    pending.release();
  }
}
