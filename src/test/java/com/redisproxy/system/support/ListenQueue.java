package com.redisproxy.system.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/** The listen queue (backlog) of a listening socket, as {@code ss -ltn} shows it in its Send-Q column. */
public final class ListenQueue {
  private ListenQueue() {}

  public static boolean readable() {
    try {
      ss();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** net.core.somaxconn: the kernel silently lowers any larger backlog to it. */
  public static int kernelCap() {
    try {
      // readAllLines, not readString: a /proc file reports size 0 and readString read "4" of "4096"
      return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Empty while nothing listens on {@code port}. */
  public static OptionalInt of(int port) {
    for (String line : ss().split("\n")) {
      String[] columns = line.trim().split("\\s+");
      if (columns.length >= 4 && columns[0].equals("LISTEN") && columns[3].endsWith(":" + port)) {
        return OptionalInt.of(Integer.parseInt(columns[2]));
      }
    }
    return OptionalInt.empty();
  }

  private static String ss() {
    try {
      Process ss = new ProcessBuilder("ss", "-ltn").redirectErrorStream(true).start();
      String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
        throw new IllegalStateException("ss -ltn failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
