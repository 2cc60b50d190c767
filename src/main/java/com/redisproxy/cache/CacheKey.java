package com.redisproxy.cache;

import java.util.Arrays;
import org.apache.pekko.util.ByteString;

/**
 * A key as the cache's maps hold it: its bytes, hashed once with a plain loop. ByteString's own
 * hashCode and equals are Scala's generic sequence ones, which box every byte; on a hit they were
 * a visible share of the CacheActor's time. Only the array is kept, not the ByteString around it:
 * 16 bytes less for every cached key.
 */
final class CacheKey {
  private final byte[] array;
  private final int hash;

  private CacheKey(ByteString bytes) {
    this.array = bytes.toArrayUnsafe(); // no copy for a compact ByteString, as keys are
    this.hash = Arrays.hashCode(array);
  }

  static CacheKey of(ByteString bytes) {
    return new CacheKey(bytes);
  }

  /** The key's bytes, not a copy: read them, never change them. */
  byte[] bytes() {
    return array;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CacheKey key && key.hash == hash && Arrays.equals(key.array, array);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
