package com.redisproxy.fetch.redis;

import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** Stands where Lettuce's command handler is: a stack of the commands written, the oldest completed by each reply. */
final class LettuceStandIn extends ChannelDuplexHandler {
  final ArrayDeque<RedisCommand<?, ?, ?>> stack = new ArrayDeque<>();
  final List<String> replies = new ArrayList<>();

  @Override
  public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
    if (message instanceof RedisCommand<?, ?, ?> command) stack.add(command);
    context.write(message, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object message) {
    ByteBuf bytes = (ByteBuf) message;
    String reply = bytes.toString(StandardCharsets.UTF_8);
    bytes.release();
    replies.add(reply);
    if (reply.startsWith(">")) return; // a push: no command's reply
    RedisCommand<?, ?, ?> command = stack.poll();
    if (command != null) command.complete();
  }
}
