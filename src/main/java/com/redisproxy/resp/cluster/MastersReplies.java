package com.redisproxy.resp.cluster;

import com.redisproxy.resp.codec.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.apache.pekko.util.ByteString;

/**
 * The replies of every master to one command (RESP2, as the cluster client relays them), made into
 * the one reply a client of a single Redis would get. An error from any master is the answer.
 */
final class MastersReplies {
  private static final ByteString NIL = ByteString.fromString("$-1\r\n");

  private MastersReplies() {}

  /** KEYS: one array of every master's keys. */
  static ByteString concatenated(List<ByteString> replies) {
    Optional<ByteString> error = firstNotStartingWith(replies, '*');
    if (error.isPresent()) return error.get();
    long count = 0;
    ByteString elements = ByteString.emptyByteString();
    for (ByteString reply : replies) {
      int headerEnd = lineEnd(reply, 0);
      count += Long.parseLong(text(reply, 1, headerEnd));
      elements = elements.concat(reply.drop(headerEnd + 2));
    }
    return ByteString.fromString("*" + count + "\r\n").concat(elements);
  }

  /** Scripts and functions loaded or flushed on every master: their common answer, or the first error. */
  static ByteString alike(List<ByteString> replies) {
    return firstStartingWith(replies, '-').orElse(replies.get(0));
  }

  /** SCRIPT EXISTS: 1 for a script only where every master has it. */
  static ByteString allOf(List<ByteString> replies) {
    Optional<ByteString> error = firstNotStartingWith(replies, '*');
    if (error.isPresent()) return error.get();
    int[] all = null;
    for (ByteString reply : replies) {
      String[] lines = reply.utf8String().split("\r\n");
      if (all == null) {
        all = new int[lines.length - 1];
        Arrays.fill(all, 1);
      }
      for (int i = 1; i < lines.length; i++) all[i - 1] = Math.min(all[i - 1], Integer.parseInt(lines[i].substring(1)));
    }
    RespWriter writer = new RespWriter().arrayHeader(all.length);
    for (int exists : all) writer.integer(exists);
    return writer.result();
  }

  /** RANDOMKEY: a key of a master picked at random among those that have one; nil when none has. */
  static ByteString randomKey(List<ByteString> replies, RandomGenerator random) {
    Optional<ByteString> error = firstStartingWith(replies, '-');
    if (error.isPresent()) return error.get();
    List<ByteString> keys = replies.stream().filter(reply -> !reply.equals(NIL)).toList();
    return keys.isEmpty() ? NIL : keys.get(random.nextInt(keys.size()));
  }

  /** A master's SCAN reply: its next cursor and the array of keys, as sent. */
  record ScanPage(String cursor, ByteString keys) {}

  /** The page in a master's SCAN reply; empty for an error reply, which is relayed as it is. */
  static Optional<ScanPage> scanPage(ByteString reply) {
    if (reply.size() < 5 || !text(reply, 0, 5).equals("*2\r\n$")) return Optional.empty();
    int lengthEnd = lineEnd(reply, 4);
    int length = Integer.parseInt(text(reply, 5, lengthEnd));
    int cursorStart = lengthEnd + 2;
    return Optional.of(new ScanPage(text(reply, cursorStart, cursorStart + length), reply.drop(cursorStart + length + 2)));
  }

  /** A SCAN reply with the proxy's own cursor and a master's keys. */
  static ByteString scanReply(String cursor, ByteString keys) {
    return new RespWriter().arrayHeader(2).bulk(cursor).result().concat(keys);
  }

  private static Optional<ByteString> firstStartingWith(List<ByteString> replies, char type) {
    return replies.stream().filter(reply -> !reply.isEmpty() && reply.apply(0) == type).findFirst();
  }

  private static Optional<ByteString> firstNotStartingWith(List<ByteString> replies, char type) {
    return replies.stream().filter(reply -> reply.isEmpty() || reply.apply(0) != type).findFirst();
  }

  private static int lineEnd(ByteString reply, int from) {
    int end = reply.indexOf((byte) '\r', from);
    if (end < 0) throw new IllegalArgumentException("a RESP line without its CRLF: " + reply.utf8String());
    return end;
  }

  private static String text(ByteString reply, int from, int to) {
    return new String(reply.slice(from, to).toArrayUnsafe(), StandardCharsets.UTF_8);
  }
}
