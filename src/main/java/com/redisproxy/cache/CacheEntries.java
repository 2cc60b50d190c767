package com.redisproxy.cache;

/**
 * What a cache entry weighs against {@code cache.max-bytes}: its key's and values' bytes, and the
 * heap the store spends on each entry and each reply besides. The overheads were measured on the
 * JVM this runs on (64-bit, compressed references): see docs/architecture.md for how.
 */
final class CacheEntries {
  /** The store's node, the key's object and the headers of its key and value arrays, its table slot. */
  static final long ENTRY_OVERHEAD = 136;
  /** A map entry, the read's arguments and the headers of their arrays and of the reply's. */
  static final long REPLY_OVERHEAD = 120;
  /** The object holding a key's replies, and its map. */
  static final long REPLIES_OVERHEAD = 104;

  private CacheEntries() {}

  /** The store's weigher: values are GET's value ({@code byte[]}, framed: {@link BulkString}) or a key's {@link Replies}. */
  static long weigh(CacheKey key, Object value) {
    long weight = ENTRY_OVERHEAD + key.bytes().length;
    if (value instanceof byte[] bytes) return weight + bytes.length;
    Replies replies = (Replies) value;
    byte[] getValue = replies.value();
    return weight + REPLIES_OVERHEAD + replies.bytes() + (getValue == null ? 0 : getValue.length);
  }

  static long weighReply(ReadArgs args, byte[] reply) {
    return REPLY_OVERHEAD + args.size() + reply.length;
  }
}
