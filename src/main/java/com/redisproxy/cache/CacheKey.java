package com.redisproxy.cache;

import java.util.Arrays;
import org.apache.pekko.util.ByteString;

/**
 * A key as the cache's maps hold it, and a read of it by GET: its bytes, hashed once with a plain
 * loop. ByteString's own hashCode and equals are Scala's generic sequence ones, which box every
 * byte; on a hit they were a visible share of the CacheActor's time. Only the array is kept, not
 * the ByteString around it: 16 bytes less for every cached key. Equal to any other read of the
 * same key ({@link KeyCommand} included): the store holds one entry a key.
 */
public class CacheKey {
  private final byte[] array;
  private final int hash;

  CacheKey(byte[] array) {
    this.array = array;
    this.hash = Arrays.hashCode(array);
  }

  /** A GET of {@code bytes}. */
  public static CacheKey of(ByteString bytes) {
    return new CacheKey(bytes.toArrayUnsafe()); // no copy for a compact ByteString, as keys are
  }

  /** The key's bytes, not a copy: read them, never change them. */
  final byte[] bytes() {
    return array;
  }

  /** The key as the fetcher asks Redis for it. */
  public final ByteString key() {
    return ByteString.fromArrayUnsafe(array);
  }

  /** The key alone, as the store keeps it: a read's command is not kept with its entry. */
  CacheKey plain() {
    return this;
  }

  @Override
  public final boolean equals(Object other) {
    return other instanceof CacheKey key && key.hash == hash && Arrays.equals(key.array, array);
  }

  @Override
  public final int hashCode() {
    return hash;
  }
}
