package com.redisproxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * bench/run.sh's burst row: CLIENTS connections opened at the same moment, each sending one
 * {@code GET PATH} with {@code Connection: close} and reading the answer to its end. Prints, in ms
 * from the first connect: the p50 and the last complete answer, then the number of connections
 * that got no 200 (failed connects and timeouts included). One thread and one selector drive
 * every connection, so the client's own cost stays small beside the server's.
 * Usage: ConnectBurst PORT CLIENTS PATH
 */
public final class ConnectBurst {
  private static final long TIMEOUT_NANOS = 10_000_000_000L;

  private ConnectBurst() {}

  private static final class Exchange {
    final ByteBuffer request;
    final StringBuilder answer = new StringBuilder();
    long answeredNanos = -1;

    Exchange(byte[] request) {
      this.request = ByteBuffer.wrap(request);
    }
  }

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    int clients = Integer.parseInt(args[1]);
    byte[] request = ("GET " + args[2] + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    Exchange[] exchanges = new Exchange[clients];
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try (Selector selector = Selector.open()) {
      long start = System.nanoTime();
      for (int i = 0; i < clients; i++) {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        exchanges[i] = new Exchange(request);
        int interest = channel.connect(new InetSocketAddress("127.0.0.1", port)) ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT;
        channel.register(selector, interest, exchanges[i]);
      }
      int open = clients;
      while (open > 0 && System.nanoTime() - start < TIMEOUT_NANOS) {
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel channel = (SocketChannel) key.channel();
          Exchange exchange = (Exchange) key.attachment();
          try {
            if (key.isConnectable() && channel.finishConnect()) key.interestOps(SelectionKey.OP_WRITE);
            if (key.isValid() && key.isWritable()) {
              channel.write(exchange.request);
              if (!exchange.request.hasRemaining()) key.interestOps(SelectionKey.OP_READ);
            }
            if (key.isValid() && key.isReadable()) {
              buffer.clear();
              int read = channel.read(buffer);
              if (read > 0) exchange.answer.append(new String(buffer.array(), 0, read, StandardCharsets.US_ASCII));
              if (read < 0) {
                exchange.answeredNanos = System.nanoTime() - start;
                channel.close();
                open--;
              }
            }
          } catch (IOException failed) {
            channel.close();
            open--;
          }
        }
        selector.selectedKeys().clear();
      }
    }
    long[] ok = Arrays.stream(exchanges)
        .filter(e -> e.answeredNanos >= 0 && e.answer.toString().startsWith("HTTP/1.1 200"))
        .mapToLong(e -> e.answeredNanos).sorted().toArray();
    double p50 = ok.length == 0 ? -1 : ok[ok.length / 2] / 1e6;
    double last = ok.length == 0 ? -1 : ok[ok.length - 1] / 1e6;
    System.out.printf("%.1f %.1f %d%n", p50, last, clients - ok.length);
  }
}
