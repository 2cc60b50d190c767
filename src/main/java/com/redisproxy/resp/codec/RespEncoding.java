package com.redisproxy.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.util.ByteString;

/** A request as Redis reads it: an array of bulk strings. */
public final class RespEncoding {
  private RespEncoding() {}

  public static ByteBuf array(ByteBufAllocator alloc, List<ByteString> args) {
    int size = 16;
    for (ByteString arg : args) size += arg.size() + 16;
    ByteBuf out = alloc.ioBuffer(size);
    header(out, '*', args.size());
    for (ByteString arg : args) {
      header(out, '$', arg.size());
      for (java.nio.ByteBuffer part : arg.getByteBuffers()) out.writeBytes(part);
      out.writeByte('\r').writeByte('\n');
    }
    return out;
  }

  private static void header(ByteBuf out, char type, int count) {
    out.writeByte(type).writeBytes(Integer.toString(count).getBytes(StandardCharsets.US_ASCII));
    out.writeByte('\r').writeByte('\n');
  }
}
