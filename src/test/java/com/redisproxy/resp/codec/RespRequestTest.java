package com.redisproxy.resp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class RespRequestTest {
  private static RespRequest named(ByteString name) {
    return new RespRequest(List.of(name, ByteString.fromString("k")));
  }

  @Test
  void theNameIsLowerCaseInEveryCaseAsUtf8WouldDecodeIt() {
    for (String name : List.of("GET", "get", "GeT", "CLIENT", "zRangeByScore", "X-1_@[`{", "", "ß", "naïve", "GRÜN")) {
      ByteString bytes = ByteString.fromString(name);
      assertEquals(bytes.utf8String().toLowerCase(Locale.ROOT), named(bytes).name(), name);
    }
  }

  @Test
  void isComparesWithoutRegardToCase() {
    assertTrue(named(ByteString.fromString("SeT")).is("set"));
    assertFalse(named(ByteString.fromString("SETX")).is("set"));
  }
}
