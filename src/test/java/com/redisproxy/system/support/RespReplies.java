package com.redisproxy.system.support;

import java.util.ArrayList;
import java.util.List;

/** Whole RESP2 replies read off a {@link RespSocket}, as text, for tests that do not know a reply's length. */
public final class RespReplies {
  private RespReplies() {}

  /** Sends {@code args} as one command and reads its whole reply. */
  public static String call(RespSocket socket, String... args) {
    socket.send(RespSocket.command(args));
    return read(socket);
  }

  /** One whole reply; an array's elements are read too and kept as they came. */
  public static String read(RespSocket socket) {
    String line = socket.readLine();
    if (line.isEmpty()) throw new IllegalStateException("the connection closed before a reply");
    char type = line.charAt(0);
    int count = type == '$' || type == '*' || type == '%' ? Integer.parseInt(line.substring(1).trim()) : 0;
    if (type == '$') return count < 0 ? line : line + socket.read(count + 2);
    if (type == '*' || type == '%') {
      StringBuilder whole = new StringBuilder(line);
      for (int i = 0; i < count * (type == '%' ? 2 : 1); i++) whole.append(read(socket));
      return whole.toString();
    }
    return line;
  }

  /** {@code value} as a RESP bulk string. */
  public static String bulk(String value) {
    return "$" + value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n" + value + "\r\n";
  }

  /** The bulk strings of an array reply of bulk strings. */
  public static List<String> bulks(String reply) {
    List<String> values = new ArrayList<>();
    String[] lines = reply.split("\r\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith("$") && !lines[i].equals("$-1")) values.add(lines[++i]);
    }
    return values;
  }
}
