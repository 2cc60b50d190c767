package com.redisproxy.fetch.raw;

import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.protocol.RedisStateMachine;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Optional;

/**
 * Sits just before Lettuce's {@link CommandHandler} and hands it one whole reply at a time, so
 * that while Lettuce decodes a reply its exact bytes are known ({@link #beingDecoded()}). Lettuce's
 * decoder gives a simple string and a bulk string to a {@link CommandOutput} the same way, so the
 * bytes cannot be rebuilt from what it decodes; they are taken as Redis sent them instead. Where a
 * reply ends is found by Lettuce's own decoder. One instance per channel, used by its event loop.
 */
public final class WholeReplies extends ChannelInboundHandlerAdapter {
  private static final ThreadLocal<ByteBuf> BEING_DECODED = new ThreadLocal<>();

  private final RedisStateMachine framer = new RedisStateMachine();
  private final ByteBuf pending;
  // Bytes at the head of pending that the framer has already read, of a reply not yet whole.
  private int scanned;

  private WholeReplies(Channel channel) {
    this.pending = channel.alloc().buffer();
  }

  /** Puts one in front of the channel's CommandHandler; channels without one are left alone. */
  public static void install(Channel channel) {
    ChannelHandlerContext lettuce = channel.pipeline().context(CommandHandler.class);
    if (lettuce != null) channel.pipeline().addBefore(lettuce.name(), "whole-replies", new WholeReplies(channel));
  }

  /** The reply Lettuce is decoding on this thread now, when it came through a WholeReplies. */
  static Optional<ByteBuf> beingDecoded() {
    return Optional.ofNullable(BEING_DECODED.get());
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object message) {
    if (!(message instanceof ByteBuf bytes)) {
      context.fireChannelRead(message);
      return;
    }
    // One buffer, not a composite: Lettuce's decoder reads through nioBuffer views of it.
    pending.writeBytes(bytes);
    bytes.release();
    while (pending.readableBytes() > scanned) {
      ByteBuf unread = pending.slice(pending.readerIndex() + scanned, pending.readableBytes() - scanned);
      boolean whole = framer.decode(unread, RepliesSkipped.INSTANCE);
      if (!whole) {
        scanned += unread.readerIndex();
        break;
      }
      ByteBuf reply = pending.readRetainedSlice(scanned + unread.readerIndex());
      scanned = 0;
      ByteBuf before = BEING_DECODED.get();
      BEING_DECODED.set(reply.duplicate()); // indices of its own: Lettuce reads the reply it is given
      try {
        context.fireChannelRead(reply);
      } finally {
        BEING_DECODED.set(before);
      }
    }
    pending.discardSomeReadBytes();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext context) {
    pending.release();
  }

}
