package com.redisproxy.fetch.raw;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * A RESP3 reply as Redis itself would have sent it to a RESP2 client: maps and sets become arrays,
 * a double or a big number a bulk string, a boolean 1 or 0, a verbatim string a bulk string, null
 * a null bulk string; attributes are dropped. Where Redis's RESP2 form depends on the command and
 * not on the type (Redis 6.2 and 7.0's sources, {@code c->resp == 2}), this follows the command:
 * the sorted-set ranges WITHSCORES answer pairs in RESP3 and one flat array in RESP2; GEOPOS's
 * missing members and XRANGE's {@code COUNT 0} are null arrays. Commands that read more than one
 * key, or reply at random, are not cached, so their forms are not needed here.
 */
public final class Resp2Form {
  private static final Set<String> PAIRS_WITH_SCORES = Set.of("zrange", "zrangebyscore", "zrevrange", "zrevrangebyscore");
  private static final Set<String> NULL_ARRAY_REPLY = Set.of("xrange", "xrevrange");
  private static final Set<String> NULL_ARRAY_ELEMENTS = Set.of("geopos");
  private static final byte[] CRLF = {'\r', '\n'};

  private final byte[] in;
  private final ByteArrayOutputStream out;
  private int at;

  private Resp2Form(byte[] in) {
    this.in = in;
    this.out = new ByteArrayOutputStream(in.length + 16);
  }

  /** {@code resp3}, the reply to {@code request} (its name first), in RESP2. */
  public static ByteString of(List<ByteString> request, ByteString resp3) {
    String name = request.get(0).utf8String().toLowerCase(Locale.ROOT);
    boolean pairs = PAIRS_WITH_SCORES.contains(name)
        && request.stream().anyMatch(arg -> arg.utf8String().equalsIgnoreCase("withscores"));
    Resp2Form form = new Resp2Form(resp3.toArrayUnsafe());
    if (pairs && form.in.length > 0 && form.in[0] == '*') form.flattenedPairs();
    else if (NULL_ARRAY_ELEMENTS.contains(name) && form.in.length > 0 && form.in[0] == '*') form.nullArrayElements();
    else form.value(NULL_ARRAY_REPLY.contains(name));
    return ByteString.fromArrayUnsafe(form.out.toByteArray());
  }

  private void flattenedPairs() {
    long count = header();
    if (count < 0) {
      write("*-1");
      return;
    }
    write("*" + count * 2);
    for (long i = 0; i < count; i++) {
      if (in[at] == '*') {
        long inner = header();
        for (long j = 0; j < inner; j++) value(false);
      } else {
        value(false);
      }
    }
  }

  private void nullArrayElements() {
    long count = header();
    write("*" + count);
    for (long i = 0; i < count; i++) value(true);
  }

  // One value, converted; a null stands for a null array when nullIsArray.
  private void value(boolean nullIsArray) {
    byte type = in[at];
    switch (type) {
      case '+', '-', ':' -> copyLine();
      case '$' -> copyBulk();
      case '_' -> {
        line();
        write(nullIsArray ? "*-1" : "$-1");
      }
      case ',', '(' -> bulk(line().substring(1));
      case '#' -> write(line().equals("#t") ? ":1" : ":0");
      case '=' -> {
        byte[] text = blob();
        bulk(text, 4, text.length - 4); // past the format, "txt:"
      }
      case '!' -> {
        byte[] text = blob();
        out.write('-');
        out.write(text, 0, text.length);
        out.write(CRLF, 0, 2);
      }
      case '*', '~' -> {
        long count = header();
        write("*" + count);
        for (long i = 0; i < count; i++) value(false);
      }
      case '%' -> {
        long count = header();
        write("*" + count * 2);
        for (long i = 0; i < count * 2; i++) value(false);
      }
      case '|' -> {
        long count = header();
        for (long i = 0; i < count * 2; i++) skip();
        value(nullIsArray);
      }
      default -> throw new IllegalArgumentException("not a RESP3 reply: type byte " + (char) type);
    }
  }

  // The length of an aggregate (or -1), past its line.
  private long header() {
    return Long.parseLong(line().substring(1));
  }

  // An attribute's key or value: read through, its RESP2 form thrown away.
  private void skip() {
    Resp2Form nested = new Resp2Form(in);
    nested.at = at;
    nested.value(false);
    at = nested.at;
  }

  private String line() {
    int end = at;
    while (in[end] != '\r') end++;
    String text = new String(in, at, end - at, StandardCharsets.US_ASCII);
    at = end + 2;
    return text;
  }

  private void copyLine() {
    int start = at;
    while (in[at] != '\r') at++;
    at += 2;
    out.write(in, start, at - start);
  }

  private void copyBulk() {
    int start = at;
    long length = header();
    if (length >= 0) at += (int) length + 2;
    out.write(in, start, at - start);
  }

  private byte[] blob() {
    int length = (int) header();
    byte[] text = new byte[length];
    System.arraycopy(in, at, text, 0, length);
    at += length + 2;
    return text;
  }

  private void bulk(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    bulk(bytes, 0, bytes.length);
  }

  private void bulk(byte[] bytes, int from, int length) {
    write("$" + length);
    out.write(bytes, from, length);
    out.write(CRLF, 0, 2);
  }

  private void write(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
    out.write(bytes, 0, bytes.length);
    out.write(CRLF, 0, 2);
  }
}
