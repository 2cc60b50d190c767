package com.redisproxy.auth.acl;

/**
 * One ACL key pattern, looked at once when the rules are read: most are a plain prefix and a
 * {@code *} ({@code ~cache:*}) or a plain key, which a cache hit then checks with one loop over
 * the key's first bytes instead of {@link RedisGlob}'s general matcher. Any other pattern goes to
 * RedisGlob, so the answer is always the glob's. Immutable; any thread.
 */
public final class KeyPattern {
  private enum Shape { LITERAL, PREFIX, GLOB }

  private final byte[] pattern;
  private final Shape shape;
  private final int literalLength; // the bytes before the trailing stars (PREFIX), or all of them (LITERAL)

  private KeyPattern(byte[] pattern, Shape shape, int literalLength) {
    this.pattern = pattern;
    this.shape = shape;
    this.literalLength = literalLength;
  }

  public static KeyPattern of(byte[] pattern) {
    int literal = 0;
    while (literal < pattern.length && !special(pattern[literal])) literal++;
    if (literal == pattern.length) return new KeyPattern(pattern, Shape.LITERAL, literal);
    int stars = literal;
    while (stars < pattern.length && pattern[stars] == '*') stars++;
    if (stars > literal && stars == pattern.length) return new KeyPattern(pattern, Shape.PREFIX, literal);
    return new KeyPattern(pattern, Shape.GLOB, 0);
  }

  /** As {@code RedisGlob.matches(pattern, key)}. */
  public boolean matches(byte[] key) {
    return switch (shape) {
      case LITERAL -> key.length == literalLength && startsWithLiteral(key);
      // The glob's loop never starts on an empty key, so "*" alone does not match it; "a*" matches "a".
      case PREFIX -> key.length >= Math.max(literalLength, 1) && startsWithLiteral(key);
      case GLOB -> RedisGlob.matches(pattern, key);
    };
  }

  private boolean startsWithLiteral(byte[] key) {
    for (int i = 0; i < literalLength; i++) {
      if (key[i] != pattern[i]) return false;
    }
    return true;
  }

  // What the glob reads as more than a byte: '*', '?', '[' and the escape.
  private static boolean special(byte b) {
    return b == '*' || b == '?' || b == '[' || b == '\\';
  }
}
