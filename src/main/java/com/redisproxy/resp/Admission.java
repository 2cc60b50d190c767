package com.redisproxy.resp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.Consumer;

/**
 * On the listening channel: each connection is admitted on the accepting loop as it is accepted,
 * before the task that initialises it on its own loop is run. A CLIENT LIST read in the same loop
 * cycle as the accept, or on a loop whose queue still holds that task, lists it (redis-py's
 * {@code test_client_list_client_id}; docs/redis-py-suite.md).
 */
final class Admission extends ChannelInboundHandlerAdapter {
  private final Consumer<Channel> admit;

  Admission(Consumer<Channel> admit) {
    this.admit = admit;
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object accepted) {
    admit.accept((Channel) accepted);
    context.fireChannelRead(accepted);
  }
}
