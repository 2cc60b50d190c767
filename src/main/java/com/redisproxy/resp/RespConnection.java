package com.redisproxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: parses what it reads into batches, answers them in order, and closes
 * after QUIT or a protocol error, once the reply is written. Everything here runs on the
 * connection's event loop. Backpressure: with {@link #MAX_BATCHES_IN_FLIGHT} batches unanswered,
 * or replies the client is not reading, the connection stops reading until that clears.
 */
final class RespConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RespConnection.class);
  private static final int MAX_BATCHES_IN_FLIGHT = 8;

  private final RespParser parser;
  private final RespSession session;
  private final RespCommands commands;
  private final CacheReads cache;
  private final ArrayDeque<CompletableFuture<RespCommands.AnsweredBatch>> unanswered = new ArrayDeque<>();
  private ChannelHandlerContext context;
  private boolean closing;
  private boolean closeWhenAnswered;

  RespConnection(RespParser parser, RespSession session, RespCommands commands, CacheReads cache) {
    this.parser = parser;
    this.session = session;
    this.commands = commands;
    this.cache = cache;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.context = context;
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object message) {
    ByteBuf buffer = (ByteBuf) message;
    byte[] bytes = new byte[buffer.readableBytes()];
    buffer.readBytes(bytes);
    buffer.release();
    if (closing) return;
    RespBatch batch = parser.feed(ByteString.fromArrayUnsafe(bytes));
    if (batch.isEmpty()) return;
    CompletableFuture<RespCommands.AnsweredBatch> answer = commands.execute(session, batch, cache).toCompletableFuture();
    unanswered.add(answer);
    if (answer.isDone()) writeAnswered();
    else answer.whenComplete((done, failure) -> writeAnswered()); // the cache reads complete on this loop
    updateReading();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext context) {
    updateReading();
    context.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event instanceof IdleStateEvent) {
      // Not idle while it waits for answers, or while we are not reading it (it is not reading us).
      if (!unanswered.isEmpty() || !context.channel().config().isAutoRead()) return;
      log.debug("closing RESP connection {}: idle", session.id);
      closeAfterWrites();
    } else {
      context.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    // A client that resets, or speaks plain text to a TLS port, is the client's business.
    if (cause instanceof IOException || cause instanceof DecoderException) {
      log.debug("RESP connection {}: {}", session.id, cause.toString());
    } else {
      log.warn("RESP connection {} failed", session.id, cause);
    }
    context.close();
  }

  /** On shutdown: stop reading, write what is answered, then close. Runs on the loop. */
  void closeWhenAnswered() {
    closeWhenAnswered = true;
    context.channel().config().setAutoRead(false);
    if (unanswered.isEmpty()) closeAfterWrites();
  }

  // In request order: a later batch answered first waits for the ones before it.
  private void writeAnswered() {
    boolean wrote = false;
    while (!closing && !unanswered.isEmpty() && unanswered.peek().isDone()) {
      RespReply reply = commands.render(unanswered.poll().join());
      wrote = true;
      if (reply.close()) {
        closing = true;
        unanswered.clear();
        context.writeAndFlush(wrapped(reply.bytes())).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      context.write(wrapped(reply.bytes()));
    }
    if (wrote) context.flush();
    if (closeWhenAnswered && unanswered.isEmpty()) {
      closeAfterWrites();
      return;
    }
    updateReading();
  }

  // An empty write completes after every write before it: the client gets all it was answered.
  private void closeAfterWrites() {
    closing = true;
    context.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void updateReading() {
    ChannelConfig config = context.channel().config();
    boolean read = !closing && !closeWhenAnswered && unanswered.size() < MAX_BATCHES_IN_FLIGHT
        && context.channel().isWritable();
    if (config.isAutoRead() != read) config.setAutoRead(read);
  }

  // Straight into the pooled direct memory the socket write needs anyway: no array per reply.
  private ByteBuf wrapped(ByteString bytes) {
    ByteBuf out = context.alloc().ioBuffer(bytes.size());
    for (java.nio.ByteBuffer part : bytes.getByteBuffers()) out.writeBytes(part);
    return out;
  }
}
