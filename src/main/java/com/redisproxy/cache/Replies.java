package com.redisproxy.cache;

import java.util.HashMap;
import java.util.Map;

/**
 * What the cache holds for a key read by commands other than GET: each one's reply (as Redis sent
 * it, in the protocol asked for), and GET's value if it was read too. Changed by the CacheActor
 * only, and put in the store again after each change, so the store weighs it anew.
 */
final class Replies {
  private final Map<ReadArgs, byte[]> replies = new HashMap<>(4);
  private byte[] value;
  private long bytes;

  /** @param value GET's value for the key, or null */
  Replies(byte[] value) {
    this.value = value;
  }

  /** GET's value, or null when GET did not read the key. */
  byte[] value() {
    return value;
  }

  void value(byte[] value) {
    this.value = value;
  }

  byte[] reply(ReadArgs args) {
    return replies.get(args);
  }

  void reply(ReadArgs args, byte[] reply) {
    byte[] before = replies.put(args, reply);
    if (before != null) bytes -= CacheEntries.weighReply(args, before);
    bytes += CacheEntries.weighReply(args, reply);
  }

  /** The replies with their overhead, GET's value not included. */
  long bytes() {
    return bytes;
  }
}
