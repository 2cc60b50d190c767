package com.redisproxy.resp.codec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.util.ByteString;

/** One client command: its arguments as sent, the command name first. Never empty. */
public final class RespRequest {
  private final List<ByteString> args;
  // The request's bytes exactly as the client sent them, where they are what Redis reads (one
  // canonical RESP array, whole in one read): forwarded as they are, not encoded again. A slice of
  // that read's array, which no one writes to; null for a request made here, inline or split.
  private final byte[] sent;
  private final int sentFrom;
  private final int sentLength;
  // The command table asks for the name several times per request (route, invalidation, auth):
  // made once, on the connection's loop (a race would only make the same string twice).
  private String name;

  public RespRequest(List<ByteString> args) {
    this(args, null, 0, 0);
  }

  /** A request read whole from {@code sent} (which no one writes to), its bytes from {@code from}, RESP as Redis reads it. */
  RespRequest(List<ByteString> args, byte[] sent, int from, int length) {
    this.args = args;
    this.sent = sent;
    this.sentFrom = from;
    this.sentLength = length;
  }

  /** The bytes the client sent, when they can go to Redis as they are; null otherwise (encode {@link #args}). */
  byte[] sent() {
    return sent;
  }

  int sentFrom() {
    return sentFrom;
  }

  int sentLength() {
    return sentLength;
  }

  public List<ByteString> args() {
    return args;
  }

  /** True when the command name is {@code lowerCaseName}, in any case; allocates nothing. */
  public boolean is(String lowerCaseName) {
    ByteString name = args.get(0);
    if (name.size() != lowerCaseName.length()) return false;
    for (int i = 0; i < name.size(); i++) {
      int b = name.apply(i);
      if (b >= 'A' && b <= 'Z') b += 'a' - 'A';
      if (b != lowerCaseName.charAt(i)) return false;
    }
    return true;
  }

  /** The command name, lower case, for dispatch. */
  public String name() {
    String made = name;
    if (made == null) {
      made = asciiLowerCase(args.get(0));
      if (made == null) made = args.get(0).utf8String().toLowerCase(Locale.ROOT);
      name = made;
    }
    return made;
  }

  // Every command name is ASCII: lower-cased in one array, one string made, no decoder. Null otherwise.
  private static String asciiLowerCase(ByteString bytes) {
    byte[] lower = new byte[bytes.size()];
    for (int i = 0; i < lower.length; i++) {
      byte b = bytes.apply(i);
      if (b < 0) return null;
      lower[i] = b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }
    return new String(lower, StandardCharsets.ISO_8859_1);
  }

  public ByteString arg(int index) {
    return args.get(index);
  }

  public int size() {
    return args.size();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RespRequest request && args.equals(request.args);
  }

  @Override
  public int hashCode() {
    return args.hashCode();
  }

  @Override
  public String toString() {
    return "RespRequest[args=" + args + "]";
  }
}
