package com.redisproxy.resp.command;

/** A key's bytes as text people and parsers can read on one line, quoted and escaped as redis-cli shows them. */
final class KeyText {
  private KeyText() {}

  static String quoted(byte[] key) {
    StringBuilder text = new StringBuilder(key.length + 2).append('"');
    for (byte b : key) {
      int c = b & 0xff;
      switch (c) {
        case '\\' -> text.append("\\\\");
        case '"' -> text.append("\\\"");
        case '\n' -> text.append("\\n");
        case '\r' -> text.append("\\r");
        case '\t' -> text.append("\\t");
        default -> {
          if (c >= 0x20 && c < 0x7f) text.append((char) c);
          else text.append(String.format("\\x%02x", c));
        }
      }
    }
    return text.append('"').toString();
  }
}
