package com.redisproxy.resp.tracking;

import com.redisproxy.resp.codec.RespWriter;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * Redis's invalidation messages, byte for byte as redis-server 6.2 and 7.0 write them: one
 * message per key, a RESP3 push ({@code >2 invalidate [key]}) or, to a RESP2 client subscribed
 * to {@code __redis__:invalidate} that a tracking client redirects to, a pub/sub message; after a
 * flush, one message whose keys are null, a null in the protocol of the client that tracks (so a
 * RESP2 subscriber gets RESP3's {@code _} from a RESP3 tracker, as from Redis).
 */
public final class InvalidationMessages {
  private static final ByteString PUSH = ByteString.fromString(">2\r\n$10\r\ninvalidate\r\n");
  private static final ByteString MESSAGE = ByteString.fromString("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n");
  private static final ByteString RESP3_NULL = ByteString.fromString("_\r\n");
  private static final ByteString RESP2_NULL = ByteString.fromString("$-1\r\n");

  private InvalidationMessages() {}

  /** To a client itself: a push per key (RESP3), or nothing (RESP2 without REDIRECT, as Redis sends nothing). */
  public static ByteString toTracker(boolean resp3, Optional<List<ByteString>> keys) {
    return resp3 ? messages(PUSH, RESP3_NULL, keys) : ByteString.emptyByteString();
  }

  /**
   * To a REDIRECT target: pushes if it speaks RESP3, messages if it is subscribed, else nothing.
   * @param trackerResp3 the protocol of the client that tracks, whose null a flush carries
   */
  public static ByteString toRedirectTarget(boolean resp3, boolean subscribed, Optional<List<ByteString>> keys,
      boolean trackerResp3) {
    ByteString nothing = trackerResp3 ? RESP3_NULL : RESP2_NULL;
    if (resp3) return messages(PUSH, nothing, keys);
    return subscribed ? messages(MESSAGE, nothing, keys) : ByteString.emptyByteString();
  }

  /** To a RESP3 client whose REDIRECT target is gone, once per invalidation it missed. */
  public static ByteString redirectBroken(long target, int times) {
    RespWriter out = new RespWriter();
    for (int i = 0; i < times; i++) out.raw(ByteString.fromString(">2\r\n")).bulk("tracking-redir-broken").integer(target);
    return out.result();
  }

  private static ByteString messages(ByteString head, ByteString nothing, Optional<List<ByteString>> keys) {
    RespWriter out = new RespWriter();
    if (keys.isEmpty()) return out.raw(head).raw(nothing).result();
    for (ByteString key : keys.get()) out.raw(head).arrayHeader(1).bulk(key);
    return out.result();
  }
}
