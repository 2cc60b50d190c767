package com.redisproxy.fetch.redis;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Lends Lettuce an event loop the proxy owns, for its connections' I/O: the loop the CacheActor
 * and the fetchers run on. A miss is then written to Redis, read back and handed to the
 * CacheActor on that one thread, where Lettuce's own loops cost a thread wake-up each way.
 * Lettuce never shuts it down: its owner does. The price: Lettuce's encoding and decoding of
 * misses (and TLS, for rediss://) share that thread with every RESP connection; it never blocks
 * there (non-blocking I/O and DNS), and on a small machine a thread wake-up costs more.
 */
public final class LentEventLoop implements EventLoopGroupProvider {
  private final EventLoopGroup loop;

  LentEventLoop(EventLoopGroup loop) {
    this.loop = loop;
  }

  /**
   * Lends {@code loop}, if there is one and Lettuce's transport fits it, to the client {@code resources}
   * will build; true when it did.
   */
  public static boolean lendTo(ClientResources.Builder resources, Optional<BackingRedis.LoopToLend> loop) {
    Optional<BackingRedis.LoopToLend> lent = loop.filter(given -> fits(given.epoll()));
    lent.ifPresent(given -> resources.eventLoopGroupProvider(new LentEventLoop(given.loop())));
    return lent.isPresent();
  }

  /** True when Lettuce's channels can run on a loop of this transport (epoll, else Java NIO). */
  static boolean fits(boolean epollLoop) {
    return Transports.socketChannelClass() == (epollLoop ? EpollSocketChannel.class : NioSocketChannel.class);
  }

  @Override
  @SuppressWarnings("unchecked") // Lettuce uses what it is given as a plain EventLoopGroup
  public <T extends EventLoopGroup> T allocate(Class<T> type) {
    return (T) loop;
  }

  @Override
  public int threadPoolSize() {
    return 1;
  }

  @Override
  public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
  }

  @Override
  public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
  }
}
