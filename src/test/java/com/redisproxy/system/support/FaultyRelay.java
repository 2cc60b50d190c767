package com.redisproxy.system.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between the proxy and a real Redis that injects faults on command: it can stall
 * either direction (bytes are held, nothing is closed: a partition or a hung middlebox), drop
 * what it reads in a direction, delay every chunk, reset (RST) or close (FIN) every connection.
 * Faults apply to the connections open and to those opened later, until {@link #heal}; but
 * {@link #blackHoleOpenLinks} is for the connections open at the time, and for good.
 */
public final class FaultyRelay implements AutoCloseable {

  /** Which way bytes flow. */
  public enum Direction { TO_REDIS, FROM_REDIS }

  private static final int CHUNK = 16 * 1024;

  private final ServerSocket listener;
  private final int redisPort;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Map<Direction, Boolean> stalled = new EnumMap<>(Direction.class);
  private final Map<Direction, Boolean> dropping = new EnumMap<>(Direction.class);
  private volatile long delayMillis;
  private volatile boolean closed;
  private final AtomicInteger accepted = new AtomicInteger();

  private FaultyRelay(int redisPort) throws IOException {
    this.redisPort = redisPort;
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    for (Direction direction : Direction.values()) {
      stalled.put(direction, false);
      dropping.put(direction, false);
    }
    Thread acceptor = new Thread(this::acceptAll, "relay-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A relay on a free loopback port to the Redis on {@code redisPort}. */
  public static FaultyRelay to(int redisPort) {
    try {
      return new FaultyRelay(redisPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return listener.getLocalPort();
  }

  public String address() {
    return "127.0.0.1:" + port();
  }

  /** Connections accepted so far. */
  public int connectionsAccepted() {
    return accepted.get();
  }

  /** Stops forwarding {@code direction}: what is read is held, and reading stops; nothing is closed. */
  public synchronized void stall(Direction direction) {
    stalled.put(direction, true);
  }

  /** Reads in {@code direction} are thrown away instead of forwarded (on) or forwarded (off). */
  public synchronized void drop(Direction direction, boolean on) {
    dropping.put(direction, on);
  }

  /** Each chunk, either way, is held this long before it is forwarded. */
  public void delay(Duration delay) {
    delayMillis = delay.toMillis();
  }

  /** No more faults: held bytes go on, nothing is dropped or delayed any longer. */
  public synchronized void heal() {
    for (Direction direction : Direction.values()) {
      stalled.put(direction, false);
      dropping.put(direction, false);
    }
    delayMillis = 0;
    notifyAll();
  }

  /**
   * Every connection open now stops forwarding either way, for good: what it reads is thrown away
   * and nothing is closed (a middlebox or NAT that lost the connection's state). Connections
   * opened later are forwarded as usual.
   */
  public void blackHoleOpenLinks() {
    links.forEach(link -> link.blackHoled = true);
  }

  /** Every open connection is reset (RST), both sides; new ones are accepted. */
  public void resetAll() {
    links.forEach(link -> link.close(true));
  }

  /** Every open connection is closed (FIN), both sides; new ones are accepted. */
  public void closeAll() {
    links.forEach(link -> link.close(false));
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    closeAll();
    synchronized (this) {
      notifyAll();
    }
  }

  private void acceptAll() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        accepted.incrementAndGet();
        Socket redis;
        try {
          redis = new Socket(InetAddress.getLoopbackAddress(), redisPort);
        } catch (IOException redisDown) {
          client.close();
          continue;
        }
        Link link = new Link(client, redis);
        links.add(link);
        link.start();
      } catch (IOException e) {
        if (!closed) throw new UncheckedIOException(e);
      }
    }
  }

  // Blocks while the direction is stalled; false once the link or the relay is closed.
  private synchronized boolean mayForward(Direction direction, Link link) throws InterruptedException {
    while (stalled.get(direction) && !closed && !link.closed) wait(50);
    return !closed && !link.closed;
  }

  private synchronized boolean dropping(Direction direction) {
    return dropping.get(direction);
  }

  /** One proxied connection: the client's socket, Redis's, and a pump each way. */
  private final class Link {
    private final Socket client;
    private final Socket redis;
    private volatile boolean closed;
    private volatile boolean blackHoled;

    Link(Socket client, Socket redis) {
      this.client = client;
      this.redis = redis;
    }

    void start() {
      pump(client, redis, Direction.TO_REDIS);
      pump(redis, client, Direction.FROM_REDIS);
    }

    private void pump(Socket from, Socket to, Direction direction) {
      Thread thread = new Thread(() -> {
        byte[] buffer = new byte[CHUNK];
        try {
          InputStream in = from.getInputStream();
          OutputStream out = to.getOutputStream();
          int read;
          while ((read = in.read(buffer)) >= 0) {
            if (blackHoled) continue; // still read, so that the link ends when either side closes
            long delay = delayMillis;
            if (delay > 0) Thread.sleep(delay); // the injected latency, not a synchronisation
            if (!mayForward(direction, this)) break;
            if (dropping(direction)) continue;
            out.write(buffer, 0, read);
            out.flush();
          }
        } catch (IOException | InterruptedException e) {
          // the link ends
        }
        close(false);
      }, "relay-" + direction + "-" + from.getPort());
      thread.setDaemon(true);
      thread.start();
    }

    void close(boolean reset) {
      if (closed && !reset) return;
      closed = true;
      links.remove(this);
      for (Socket socket : new Socket[] {client, redis}) {
        try {
          if (reset && !socket.isClosed()) socket.setSoLinger(true, 0);
          socket.close();
        } catch (SocketException alreadyClosed) {
          // nothing to reset
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }
}
