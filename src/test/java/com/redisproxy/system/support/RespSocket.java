package com.redisproxy.system.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A raw TCP client for RESP tests: writes bytes exactly as given and reads replies byte by byte. */
public final class RespSocket implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RespSocket(int port) {
    this(port, Duration.ofSeconds(10));
  }

  /** @param readTimeout how long any one read may wait for the proxy */
  public RespSocket(int port, Duration readTimeout) {
    this(connect(port, null, readTimeout));
  }

  /** RESP over TLS, as {@code redis-cli --tls}: the handshake is done before this returns. */
  public static RespSocket overTls(int port, SSLContext trusting) {
    return new RespSocket(connect(port, trusting, Duration.ofSeconds(10)));
  }

  private RespSocket(Socket socket) {
    this.socket = socket;
    try {
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    }
  }

  private static Socket connect(int port, SSLContext tls, Duration readTimeout) {
    try {
      Socket socket = tls == null ? new Socket("127.0.0.1", port) : tls.getSocketFactory().createSocket("127.0.0.1", port);
      try {
        socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
        if (socket instanceof SSLSocket secure) secure.startHandshake();
        return socket;
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public RespSocket send(String raw) {
    return send(raw.getBytes(StandardCharsets.UTF_8));
  }

  public RespSocket send(byte[] raw) {
    try {
      out.write(raw);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads exactly as many bytes as {@code expected} has and returns them as text. */
  public String read(int length) {
    try {
      byte[] bytes = in.readNBytes(length);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line of a reply, CRLF included. */
  public String readLine() {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) != -1) {
        line.write(b);
        if (b == '\n') break;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  /** One whole reply, RESP2 or RESP3, its nested replies included, as text. */
  public String readReply() {
    String line = readLine();
    if (!line.endsWith("\r\n")) throw new IllegalStateException("the connection closed inside a reply: " + line);
    char type = line.charAt(0);
    if ("$=!*~>%|".indexOf(type) < 0) return line;
    int length = Integer.parseInt(line.substring(1, line.length() - 2));
    if (length < 0) return line;
    if ("$=!".indexOf(type) >= 0) return line + read(length + 2);
    StringBuilder reply = new StringBuilder(line);
    int elements = type == '%' || type == '|' ? 2 * length : length;
    for (int i = 0; i < elements; i++) reply.append(readReply());
    if (type == '|') reply.append(readReply()); // an attribute comes before the reply it describes
    return reply.toString();
  }

  /** Reads until what was read ends with {@code suffix}; returns it all, the suffix included. */
  public String readThrough(String suffix) {
    byte[] end = suffix.getBytes(StandardCharsets.UTF_8);
    byte[] read = new byte[1024];
    int size = 0;
    try {
      int b;
      while ((b = in.read()) != -1) {
        if (size == read.length) read = java.util.Arrays.copyOf(read, size * 2);
        read[size++] = (byte) b;
        if (size >= end.length && java.util.Arrays.equals(read, size - end.length, size, end, 0, end.length)) break;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new String(read, 0, size, StandardCharsets.UTF_8);
  }

  /** Sends {@code request} and reads a reply of {@code expected}'s length. */
  public String call(String request, String expected) {
    send(request);
    return read(expected.getBytes(StandardCharsets.UTF_8).length);
  }

  /** True when the peer closes the connection (end of stream) before the timeout. */
  public boolean closedByPeer() {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by peer: closed as well
    }
  }

  /**
   * True when the peer closes the connection cleanly (end of stream) before the timeout; false
   * if it sends a byte instead or nothing comes. A reset is an error, not a clean close.
   */
  public boolean endOfStream() {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
  /** True when nothing at all comes (no byte, no close) for {@code quiet}; a byte that comes is consumed. */
  public boolean silentFor(Duration quiet) {
    try {
      int readTimeout = socket.getSoTimeout();
      socket.setSoTimeout(Math.toIntExact(quiet.toMillis()));
      try {
        in.read();
        return false;
      } catch (SocketTimeoutException nothingCame) {
        return true;
      } finally {
        socket.setSoTimeout(readTimeout);
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** A command as a RESP array of bulk strings. */
  public static String command(String... args) {
    StringBuilder frame = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      frame.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
    }
    return frame.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket
    }
  }
}
