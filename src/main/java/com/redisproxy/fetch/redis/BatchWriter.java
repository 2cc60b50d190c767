package com.redisproxy.fetch.redis;

import com.redisproxy.fetch.raw.WholeReplies;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Opens a {@link MissBatch.Envelope} on its way out of a fetch connection: the batch's commands go
 * on to Lettuce's command handler as one list, which it writes as one message. Placed last in the
 * pipeline, so that a write meets it first; every other message passes as it is.
 */
@ChannelHandler.Sharable
final class BatchWriter extends ChannelOutboundHandlerAdapter {
  private static final BatchWriter INSTANCE = new BatchWriter();

  /**
   * Adds the writer to every channel Lettuce makes, once Lettuce's own handlers are in, and
   * {@link WholeReplies} before Lettuce's decoder, so that a command's reply is kept as Redis sent it.
   */
  static final NettyCustomizer ON_EVERY_CHANNEL = new NettyCustomizer() {
    @Override
    public void afterChannelInitialized(Channel channel) {
      WholeReplies.install(channel);
      channel.pipeline().addLast("miss-batch-writer", INSTANCE);
    }
  };

  private BatchWriter() {}

  @Override
  public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
    context.write(message instanceof MissBatch.Envelope envelope ? envelope.open() : message, promise);
  }
}
