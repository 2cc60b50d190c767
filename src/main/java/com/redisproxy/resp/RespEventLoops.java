package com.redisproxy.resp;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/** The RESP front end's Netty event loops: native epoll on Linux, Java NIO elsewhere. */
public final class RespEventLoops implements AutoCloseable {
  private final EventLoopGroup group;
  private final Class<? extends ServerChannel> serverChannel;
  private final EventLoop cacheLoop;
  private final boolean epoll;

  public RespEventLoops(int threads) {
    this.epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("redis-proxy-resp", true), io);
    this.serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.cacheLoop = group.next();
  }

  /**
   * The loop the CacheActor may run on, so that RESP hits never leave its thread; the fetchers
   * run there too, and the fetch path's Lettuce connections do their I/O on it (fetch/redis/LentEventLoop).
   */
  public EventLoop cacheLoop() {
    return cacheLoop;
  }

  /** True on native epoll, false on Java NIO. */
  public boolean epoll() {
    return epoll;
  }

  EventLoopGroup group() {
    return group;
  }

  Class<? extends ServerChannel> serverChannel() {
    return serverChannel;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
