package com.redisproxy.resp.codec;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/** Appends RESP2 replies (and the few RESP3 types the proxy answers in) to one connection's output; every reply is binary-safe. */
public final class RespWriter {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] TXT = {'t', 'x', 't', ':'};
  private static final ByteString NULL_BULK = ByteString.fromString("$-1\r\n");
  private static final ByteString RESP3_NULL = ByteString.fromString("_\r\n");

  private final ByteStringBuilder out = new ByteStringBuilder();

  public RespWriter bulk(ByteString value) {
    out.putByte((byte) '$').putBytes(ascii(value.size())).putBytes(CRLF);
    out.append(value);
    out.putBytes(CRLF);
    return this;
  }

  public RespWriter bulk(String text) {
    return bulk(ByteString.fromString(text));
  }

  /** A missing value: RESP2's null bulk string, or RESP3's null. */
  public RespWriter nil(boolean resp3) {
    out.append(resp3 ? RESP3_NULL : NULL_BULK);
    return this;
  }

  public RespWriter simple(String text) {
    out.putByte((byte) '+').putBytes(sanitized(text)).putBytes(CRLF);
    return this;
  }

  /** An error reply; {@code message} starts with its code (ERR, WRONGTYPE ...). */
  public RespWriter error(String message) {
    out.putByte((byte) '-').putBytes(sanitized(message)).putBytes(CRLF);
    return this;
  }

  public RespWriter integer(long value) {
    out.putByte((byte) ':').putBytes(ascii(value)).putBytes(CRLF);
    return this;
  }

  /** A RESP3 map of {@code pairs} key-value pairs: the keys and values follow. */
  public RespWriter mapHeader(int pairs) {
    out.putByte((byte) '%').putBytes(ascii(pairs)).putBytes(CRLF);
    return this;
  }

  /** Text as Redis sends INFO: a RESP3 verbatim string of format {@code txt}, or a bulk string in RESP2. */
  public RespWriter text(ByteString text, boolean resp3) {
    if (!resp3) return bulk(text);
    out.putByte((byte) '=').putBytes(ascii(text.size() + 4)).putBytes(CRLF);
    out.putBytes(TXT).append(text);
    out.putBytes(CRLF);
    return this;
  }

  public RespWriter arrayHeader(int size) {
    out.putByte((byte) '*').putBytes(ascii(size)).putBytes(CRLF);
    return this;
  }

  /** Bytes that are already an encoded reply. */
  public RespWriter raw(ByteString encoded) {
    out.append(encoded);
    return this;
  }

  public ByteString result() {
    return out.result();
  }

  private static byte[] ascii(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  // A simple string or error may not contain CR or LF: they would end the reply early.
  private static byte[] sanitized(String text) {
    return text.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
  }
}
