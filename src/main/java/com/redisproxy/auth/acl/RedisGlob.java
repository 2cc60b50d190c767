package com.redisproxy.auth.acl;

/**
 * Redis's glob ({@code stringmatchlen} in util.c), byte for byte, as ACL key patterns, KEYS and
 * SCAN MATCH use it: {@code *}, {@code ?}, {@code [abc]}, {@code [^a-z]} (a reversed range is
 * swapped), and {@code \} escaping the next byte. Bytes compare as C's signed {@code char} does on
 * x86, and a read past the pattern's end sees the NUL that ends Redis's string. An empty key
 * matches no pattern but an empty one (ACL's {@code ~*} is "all keys", decided before any glob).
 */
public final class RedisGlob {
  private RedisGlob() {}

  public static boolean matches(byte[] pattern, byte[] string) {
    return match(pattern, 0, string, 0, new boolean[1]);
  }

  // skipLonger: once a '*' has tried every suffix in vain, no longer suffix can match either.
  private static boolean match(byte[] pattern, int p, byte[] string, int s, boolean[] skipLonger) {
    int patternLen = pattern.length - p;
    int stringLen = string.length - s;
    while (patternLen > 0 && stringLen > 0) {
      switch (pattern[p]) {
        case '*' -> {
          while (at(pattern, p + 1) == '*') {
            p++;
            patternLen--;
          }
          if (patternLen == 1) return true;
          while (stringLen > 0) {
            if (match(pattern, p + 1, string, s, skipLonger)) return true;
            if (skipLonger[0]) return false;
            s++;
            stringLen--;
          }
          skipLonger[0] = true;
          return false;
        }
        case '?' -> {
          s++;
          stringLen--;
        }
        case '[' -> {
          p++;
          patternLen--;
          boolean not = at(pattern, p) == '^';
          if (not) {
            p++;
            patternLen--;
          }
          boolean matched = false;
          while (true) {
            if (at(pattern, p) == '\\' && patternLen >= 2) {
              p++;
              patternLen--;
              if (pattern[p] == string[s]) matched = true;
            } else if (at(pattern, p) == ']') {
              break;
            } else if (patternLen == 0) {
              p--;
              patternLen++;
              break;
            } else if (patternLen >= 3 && pattern[p + 1] == '-') {
              int start = pattern[p];
              int end = pattern[p + 2];
              int c = string[s];
              if (start > end) {
                int swap = start;
                start = end;
                end = swap;
              }
              p += 2;
              patternLen -= 2;
              if (c >= start && c <= end) matched = true;
            } else if (pattern[p] == string[s]) {
              matched = true;
            }
            p++;
            patternLen--;
          }
          if (not) matched = !matched;
          if (!matched) return false;
          s++;
          stringLen--;
        }
        default -> {
          if (pattern[p] == '\\' && patternLen >= 2) {
            p++;
            patternLen--;
          }
          if (pattern[p] != string[s]) return false;
          s++;
          stringLen--;
        }
      }
      p++;
      patternLen--;
      if (stringLen == 0) {
        while (at(pattern, p) == '*') {
          p++;
          patternLen--;
        }
        break;
      }
    }
    return patternLen == 0 && stringLen == 0;
  }

  private static byte at(byte[] bytes, int index) {
    return index < bytes.length ? bytes[index] : 0;
  }
}
