package com.redisproxy.resp.forward;

import com.redisproxy.fetch.Failures;
import com.redisproxy.resp.codec.RespEncoding;
import com.redisproxy.resp.codec.RespFrames;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.command.RedisLogin;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import jdk.net.ExtendedSocketOptions;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection from the proxy to the backing Redis, on a front end's event loop: requests
 * go out as RESP arrays, and each reply is handed on whole, exactly as Redis sent it. It logs in
 * with the proxy's own credentials first and, for a RESP3 link, says {@code HELLO 3}, so that
 * every reply after it is RESP3; those replies are not handed on. Used by its loop's thread only.
 */
public final class BackendLink {
  private static final Logger log = LoggerFactory.getLogger(BackendLink.class);
  // TCP keep-alive probes after 5 s without traffic, every second, 3 unanswered closing the link:
  // a Redis host gone, or a connection a NAT or firewall forgot, ends a link waiting on it (a
  // BLPOP k 0, a subscriber) within about 8 s instead of the system's default 2 hours and more.
  static final int KEEPALIVE_IDLE_SECONDS = 5;
  static final int KEEPALIVE_INTERVAL_SECONDS = 1;
  static final int KEEPALIVE_PROBES = 3;
  private static final int UNFLUSHED_INITIAL = 4096;
  private static final ByteString CONNECTION_LOST = new RespWriter()
      .error("ERR the connection to the backing Redis was lost; the command may or may not have run").result();

  /** Where the replies go. */
  public interface Replies {
    /** One whole reply; {@code push} for a RESP3 push. The frame is released after the call. */
    void reply(ByteBuf frame, boolean push);

    /**
     * The connection closed or never opened; nothing more will come. {@code error} is the RESP
     * error to answer what was sent and not answered.
     */
    void closed(ByteString error);
  }

  private final Channel channel;
  private final Replies replies;
  // Requests written since the last flush (and, before the connection opens, everything): one
  // buffer and one channel write per flush, not one per request.
  private ByteBuf unflushed;
  private final boolean asClient;
  private int handshakeRepliesLeft;
  private boolean connected;
  private boolean closed;

  private BackendLink(EventLoop loop, BackendAddress address, Duration connectTimeout, boolean resp3,
      Optional<RedisLogin> login, Replies replies) {
    this.replies = replies;
    this.asClient = login.isPresent();
    Bootstrap bootstrap = keepAlive(new Bootstrap()
        .group(loop)
        .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(connectTimeout.toMillis(), Integer.MAX_VALUE)))
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            if (address.tls()) channel.pipeline().addLast(clientTls().newHandler(channel.alloc(), address.host(), address.port()));
            channel.pipeline().addLast(new Frames());
          }
        });
    ChannelFuture connecting = bootstrap.connect(address.host(), address.port());
    this.channel = connecting.channel();
    handshake(address, resp3, login);
    connecting.addListener((ChannelFutureListener) done -> {
      if (!done.isSuccess()) {
        log.debug("cannot connect to backing Redis {}:{}: {}", address.host(), address.port(), done.cause().toString());
        releaseUnflushed();
        onClosed(new RespWriter().error("ERR the backing Redis is unreachable: " + Failures.rootMessage(done.cause())).result());
        return;
      }
      connected = true;
      flush();
      channel.closeFuture().addListener(ignored -> {
        releaseUnflushed();
        onClosed(CONNECTION_LOST);
      });
    });
  }

  private static Bootstrap keepAlive(Bootstrap bootstrap) {
    bootstrap.option(ChannelOption.SO_KEEPALIVE, true);
    if (Epoll.isAvailable()) {
      return bootstrap.option(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS)
          .option(EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS)
          .option(EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_PROBES);
    }
    return bootstrap.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_IDLE_SECONDS)
        .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_INTERVAL_SECONDS)
        .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_PROBES);
  }

  /**
   * @param connectTimeout redis.connect-timeout
   * @param resp3 the link speaks RESP3 from its first reply on (Redis 6 or later)
   */
  public static BackendLink open(EventLoop loop, BackendAddress address, Duration connectTimeout, boolean resp3, Replies replies) {
    return new BackendLink(loop, address, connectTimeout, resp3, Optional.empty(), replies);
  }

  /**
   * A link that logs in as {@code login} (a client's Redis user) rather than with the proxy's own
   * credentials. Should Redis refuse that login, the link closes at once and everything sent on it
   * is answered with Redis's own refusal: nothing ever runs on it as anyone else.
   */
  public static BackendLink open(EventLoop loop, BackendAddress address, Duration connectTimeout, boolean resp3,
      Optional<RedisLogin> login, Replies replies) {
    return new BackendLink(loop, address, connectTimeout, resp3, login, replies);
  }

  public void send(List<ByteString> args) {
    sendWithoutFlush(args);
    flush();
  }

  /** Written with the next {@link #flush}, after what was sent before it. */
  void sendWithoutFlush(List<ByteString> args) {
    if (closed) return;
    if (unflushed == null) unflushed = channel.alloc().ioBuffer(Math.max(UNFLUSHED_INITIAL, RespEncoding.sizeAtMost(args)));
    RespEncoding.append(unflushed, args);
  }

  /** As {@link #sendWithoutFlush(List)}: the client's own bytes where the parser kept them. */
  void sendWithoutFlush(RespRequest request) {
    if (closed) return;
    if (unflushed == null) unflushed = channel.alloc().ioBuffer(Math.max(UNFLUSHED_INITIAL, RespEncoding.sizeAtMost(request)));
    RespEncoding.append(unflushed, request);
  }

  void flush() {
    if (!connected || unflushed == null) return;
    ByteBuf written = unflushed;
    unflushed = null;
    channel.writeAndFlush(written);
  }

  private void releaseUnflushed() {
    if (unflushed == null) return;
    unflushed.release();
    unflushed = null;
  }

  boolean isClosed() {
    return closed;
  }

  public void close() {
    channel.close();
  }

  /** Reading stops while the client is not reading what it is sent. */
  public void setReading(boolean reading) {
    if (channel.config().isAutoRead() != reading) channel.config().setAutoRead(reading);
  }

  private void handshake(BackendAddress address, boolean resp3, Optional<RedisLogin> login) {
    if (login.isPresent()) {
      if (login.get().password().isPresent()) {
        sendWithoutFlush(List.of(ByteString.fromString("AUTH"), login.get().user(), login.get().password().get()));
        handshakeRepliesLeft++;
      }
    } else if (address.password().isPresent()) {
      ByteString password = ByteString.fromString(address.password().get());
      sendWithoutFlush(address.user().isPresent()
          ? List.of(ByteString.fromString("AUTH"), ByteString.fromString(address.user().get()), password)
          : List.of(ByteString.fromString("AUTH"), password));
      handshakeRepliesLeft++;
    }
    if (address.database() != 0) {
      sendWithoutFlush(List.of(ByteString.fromString("SELECT"), ByteString.fromString(Integer.toString(address.database()))));
      handshakeRepliesLeft++;
    }
    if (resp3) {
      sendWithoutFlush(List.of(ByteString.fromString("HELLO"), ByteString.fromString("3")));
      handshakeRepliesLeft++;
    }
  }

  private void onClosed(ByteString error) {
    if (closed) return;
    closed = true;
    replies.closed(error);
  }

  private void onFrame(ByteBuf frame, boolean push) {
    if (closed) return; // refused its login: what follows is not for anyone
    if (handshakeRepliesLeft > 0 && !push) {
      handshakeRepliesLeft--;
      if (frame.getByte(frame.readerIndex()) == '-' && asClient) {
        byte[] refusal = new byte[frame.readableBytes()];
        frame.getBytes(frame.readerIndex(), refusal);
        onClosed(ByteString.fromArrayUnsafe(refusal));
        channel.close();
      } else if (frame.getByte(frame.readerIndex()) == '-') {
        log.warn("backing Redis refused the proxy's handshake (AUTH, SELECT or HELLO 3): {}", frame.toString(StandardCharsets.UTF_8).trim());
      }
      return;
    }
    replies.reply(frame, push);
  }

  private static SslContext clientTls() {
    try {
      return SslContextBuilder.forClient().build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS towards Redis", e);
    }
  }

  /** Cuts what Redis sends into whole replies. */
  private final class Frames extends ByteToMessageDecoder {
    private final RespFrames frames = new RespFrames();

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
      while (true) {
        int length = frames.next(in);
        if (length == RespFrames.INCOMPLETE) return;
        boolean push = RespFrames.isPush(in, in.readerIndex());
        ByteBuf frame = in.readSlice(length);
        onFrame(frame, push);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      log.warn("connection to backing Redis failed: {}", cause.toString());
      context.close();
    }
  }
}
