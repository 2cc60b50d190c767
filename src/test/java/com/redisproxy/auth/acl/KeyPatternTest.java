package com.redisproxy.auth.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyPatternTest {

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "cache:*|cache:1|true", "cache:*|cache:|true", "cache:*|cache|false", "cache:*|cachex1|false",
      "cache:**|cache:1|true", "*|x|true", "*|\"\"|false", "**|\"\"|false", "a*|a|true", "a*|\"\"|false",
      "key|key|true", "key|keys|false", "key|ke|false", "\"\"|\"\"|true", "\"\"|x|false",
      "a\\*|a*|true", "a\\*|ab|false", "a*b|axb|true", "a*b|axc|false", "a?|ab|true", "[ab]*|bc|true"})
  void matchesAsTheGlobDoes(String pattern, String key, boolean expected) {
    assertEquals(expected, KeyPattern.of(bytes(pattern)).matches(bytes(key)));
    assertEquals(expected, RedisGlob.matches(bytes(pattern), bytes(key)), "the expectation itself is the glob's");
  }

  // The shortcut for prefixes and plain keys against the glob on every pattern of a small alphabet
  // with the glob's special bytes, so that a pattern the shortcut misreads is found.
  @Test
  void answersAsTheGlobOnRandomPatternsAndKeys() {
    Random random = new Random(22);
    byte[] patternBytes = bytes("ab:*?[]\\^-");
    byte[] keyBytes = bytes("ab:*[\\");
    for (int i = 0; i < 200_000; i++) {
      byte[] pattern = randomOf(random, patternBytes, random.nextInt(7));
      byte[] key = randomOf(random, keyBytes, random.nextInt(7));
      assertEquals(RedisGlob.matches(pattern, key), KeyPattern.of(pattern).matches(key),
          () -> latin1(pattern) + " ~ " + latin1(key));
    }
  }

  private static byte[] randomOf(Random random, byte[] alphabet, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) bytes[i] = alphabet[random.nextInt(alphabet.length)];
    return bytes;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
