package com.redisproxy.auth.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each expectation is what redis-server 7.0.15 answered for {@code KEYS pattern} with the one key
 * set (a scratch server, 2026-12-07); RedisGlobIT compares more against Redis itself.
 */
class RedisGlobTest {

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "*|abc|true", "a*|abc|true", "*c|abc|true", "a*c|abc|true", "a*c|ab|false", "a?c|abc|true", "a?c|ac|false",
      "[abc]x|bx|true", "[^abc]x|bx|false", "[^abc]x|dx|true", "[a-c]x|bx|true", "[c-a]x|bx|true",
      "[a-c]x|dx|false", "a\\*b|a*b|true", "a\\*b|axb|false", "[\\]]|]|true", "[|[|false", "[a|a|true",
      "[a|[a|false", "ab[|ab[|false", "a[]b|ab|false", "a[]b|a]b|false", "*a*b*|xaxbx|true", "**|x|true",
      "\\|\\|true", "a\\|a\\|true", "cache:*|cache:1|true", "cache:*|cachex1|false", "[^]|x|true"})
  void matchesAsRedisKeysDid(String pattern, String key, boolean expected) {
    assertEquals(expected, RedisGlob.matches(bytes(pattern), bytes(key)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"*", "?", "[a-z]", "a*"})
  void anEmptyKeyMatchesNoNonEmptyPattern(String pattern) {
    assertEquals(false, RedisGlob.matches(bytes(pattern), new byte[0]));
  }

  @org.junit.jupiter.api.Test
  void aPatternOfManyStarsAgainstALongMissIsQuick() {
    byte[] pattern = bytes("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
    byte[] key = bytes("a".repeat(5000));
    assertEquals(false, RedisGlob.matches(pattern, key)); // exponential without Redis's skip of longer matches
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
