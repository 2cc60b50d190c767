package com.redisproxy.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.redisproxy.resp.command.RespSession;
import com.redisproxy.system.support.Eventually;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection is listed from its accept, though its own loop is too busy to initialise it (the
 * window redis-py's test_client_list_client_id fell into): the real ClientRegistry behind a real
 * Netty server, whose connections' loop is held by a task until the test lets it go.
 */
class AdmissionTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final AttributeKey<RespSession> SESSION = AttributeKey.valueOf(AdmissionTest.class, "session");

  private final ClientRegistry registry = new ClientRegistry();
  private final AtomicLong ids = new AtomicLong();
  private final CountDownLatch ownLoopFree = new CountDownLatch(1);
  private EventLoopGroup accepting;
  private EventLoopGroup own;
  private Channel server;

  @BeforeEach
  void startServerWithItsConnectionsLoopBusy() throws InterruptedException {
    accepting = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    own = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    own.execute(() -> {
      try {
        ownLoopFree.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server = new ServerBootstrap().group(accepting, own).channel(NioServerSocketChannel.class)
        .handler(new Admission(channel -> {
          RespSession session = new RespSession(ids.incrementAndGet(), true);
          channel.attr(SESSION).set(session);
          registry.opened(session, channel);
        }))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            registry.running(channel.attr(SESSION).get(), channel.eventLoop());
          }
        })
        .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
  }

  @AfterEach
  void stop() {
    ownLoopFree.countDown();
    if (server != null) server.close().syncUninterruptibly();
    accepting.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    own.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private Socket connect() throws Exception {
    Socket client = new Socket();
    client.connect(server.localAddress(), (int) DEADLINE.toMillis());
    client.setSoTimeout((int) DEADLINE.toMillis());
    return client;
  }

  private void awaitListed(Socket client, String what) {
    String address = "addr=" + ((InetSocketAddress) client.getLocalSocketAddress()).getAddress().getHostAddress()
        + ":" + client.getLocalPort() + " ";
    Eventually.await(DEADLINE, what, () -> registry.list(any -> true).contains(address));
  }

  @Test
  void aConnectionIsListedOnceAcceptedBeforeItsOwnLoopInitialisesIt() throws Exception {
    try (Socket client = connect()) {
      awaitListed(client, "listed while its own loop is busy");
    }
  }

  @Test
  void aKillOfAConnectionNotYetInitialisedIsCarriedOutOnItsLoopOnceItIs() throws Exception {
    try (Socket client = connect()) {
      awaitListed(client, "listed");
      assertEquals(1, registry.kill(any -> true, 0));
      ownLoopFree.countDown();
      assertEquals(-1, client.getInputStream().read(), "the killed connection is closed");
    }
  }
}
