package com.redisproxy.system.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A loopback TCP port that was free a moment ago. */
public final class FreePort {
  private FreePort() {}

  /** A free port other than {@code taken}: the kernel may hand out a just-released port again. */
  public static int findOtherThan(int taken) {
    int port;
    do {
      port = find();
    } while (port == taken);
    return port;
  }

  public static int find() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
