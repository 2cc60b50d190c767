package com.redisproxy.fetch.raw;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * A reply kept exactly as Redis sent it, whatever its shape (errors, nils, nested arrays
 * included), taken from {@link WholeReplies} once Lettuce has decoded it. A top-level MOVED or ASK
 * is also recorded as the command's error, so that Lettuce follows the redirect; Lettuce clears it
 * before sending the command again, and the bytes of the redirect are dropped with it.
 */
public final class RawReply extends ValuesIgnored<ByteString> {
  private int openArrays;

  @Override
  public void multi(int count) {
    openArrays++;
  }

  @Override
  public void setError(ByteBuffer error) {
    if (openArrays > 0 || error == null) return; // an error inside an array (EXEC) is only part of the reply
    String text = StandardCharsets.UTF_8.decode(error.duplicate()).toString();
    if (text.startsWith("MOVED ") || text.startsWith("ASK ")) this.error = text;
  }

  @Override
  public void setError(String error) {
    super.setError(error);
    if (error == null) output = null;
  }

  // Called as each element ends, with the number of arrays still open; 0 when the reply is whole.
  @Override
  public void complete(int depth) {
    openArrays = depth;
    if (depth == 0) output = WholeReplies.beingDecoded().map(RawReply::copy).orElse(null);
  }

  private static ByteString copy(ByteBuf reply) {
    byte[] bytes = new byte[reply.readableBytes()];
    reply.getBytes(reply.readerIndex(), bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }
}
