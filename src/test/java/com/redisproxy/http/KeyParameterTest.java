package com.redisproxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.Query;
import org.junit.jupiter.api.Test;

/** The raw query read as it is gives the key pekko-http's own query parser would, or nothing. */
class KeyParameterTest {

  private static Optional<String> parsed(String rawQuery) {
    try {
      return Query.create(rawQuery).get("key");
    } catch (RuntimeException illegal) {
      return Optional.of("<illegal: " + illegal.getMessage() + ">");
    }
  }

  @Test
  void readsAPlainKeyAsTheQueryParserDoes() {
    for (String raw : List.of("key=k1", "key=key:000000000042", "key=a-b.c_d~e", "key=user/42@host", "key=x(1)*y,z!$'",
        "key=a?b")) {
      assertEquals(Optional.of(raw.substring(4)), KeyParameter.plain(raw), raw);
      assertEquals(parsed(raw), KeyParameter.plain(raw), raw);
    }
  }

  @Test
  void leavesEveryOtherQueryToTheParser() {
    for (String raw : List.of("key=a%26b", "key=a+b", "key=a&other=1", "other=1&key=a", "key=a=b", "key=a;b", "keys=a",
        "Key=a", "key", "", "key=caf\u00e9", "key=a b", "key=a#b")) {
      assertEquals(Optional.empty(), KeyParameter.plain(raw), raw);
    }
  }

  @Test
  void agreesWithTheQueryParserForEveryAsciiCharacterInAKey() {
    for (char c = 0; c < 128; c++) {
      String raw = "key=a" + c + "b";
      Optional<String> plain = KeyParameter.plain(raw);
      if (plain.isPresent()) assertEquals(parsed(raw), plain, "character " + (int) c);
    }
    assertTrue(KeyParameter.plain("key=a:b").isPresent(), "a key with ':' (redis-benchmark's keys) is read here");
  }
}
