package com.redisproxy.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.pekko.util.ByteString;

/** A request as Redis reads it: an array of bulk strings. */
public final class RespEncoding {
  private static final short CRLF = ('\r' << 8) | '\n';

  private RespEncoding() {}

  public static ByteBuf array(ByteBufAllocator alloc, List<ByteString> args) {
    ByteBuf out = alloc.ioBuffer(sizeAtMost(args));
    append(out, args);
    return out;
  }

  /**
   * {@code request} as a RESP array, at the end of {@code out}: the client's own bytes where the
   * parser kept them (one copy, no header made again), else its arguments encoded.
   */
  public static void append(ByteBuf out, RespRequest request) {
    if (request.sent() != null) out.writeBytes(request.sent(), request.sentFrom(), request.sentLength());
    else append(out, request.args());
  }

  /** What {@link #append(ByteBuf, RespRequest)} writes at most for {@code request}. */
  public static int sizeAtMost(RespRequest request) {
    return request.sent() != null ? request.sentLength() : sizeAtMost(request.args());
  }

  /** What {@link #append} writes at most for {@code args}. */
  public static int sizeAtMost(List<ByteString> args) {
    int size = 16;
    for (ByteString arg : args) size += arg.size() + 16;
    return size;
  }

  /** {@code args} as a RESP array, at the end of {@code out}. */
  public static void append(ByteBuf out, List<ByteString> args) {
    header(out, '*', args.size());
    for (ByteString arg : args) {
      header(out, '$', arg.size());
      write(out, arg);
      out.writeShort(CRLF);
    }
  }

  /**
   * {@code bytes} appended to {@code out}, copied once. A compact ByteString (one whole array, as
   * the parser makes them) is written from that array: Pekko's Java view of the parts would cost
   * an iterator and a wrapper per argument.
   */
  public static void write(ByteBuf out, ByteString bytes) {
    if (bytes.isCompact()) {
      out.writeBytes(bytes.toArrayUnsafe()); // the array itself when compact
      return;
    }
    for (ByteBuffer part : bytes.getByteBuffers()) out.writeBytes(part);
  }

  private static void header(ByteBuf out, char type, int count) {
    out.writeByte(type);
    writeDecimal(out, count);
    out.writeShort(CRLF);
  }

  // The digits of a non-negative int, written in place: no String, no byte[] per header.
  private static void writeDecimal(ByteBuf out, int value) {
    int digits = 1;
    for (int rest = value; rest >= 10; rest /= 10) digits++;
    out.ensureWritable(digits);
    int start = out.writerIndex();
    for (int at = start + digits - 1, rest = value; at >= start; at--, rest /= 10) out.setByte(at, '0' + rest % 10);
    out.writerIndex(start + digits);
  }
}
