package com.redisproxy.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PasswordTest {
  private final Password password = Password.fromSetting("s3cret pw").orElseThrow();

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void matchesOnlyTheExactBytes() {
    assertTrue(password.matches(bytes("s3cret pw")));
    assertFalse(password.matches(bytes("s3cret pX")));
    assertFalse(password.matches(bytes("S3cret pw")));
  }

  @Test
  void aPrefixOrALongerGuessDoesNotMatch() {
    assertFalse(password.matches(bytes("s3cret")));
    assertFalse(password.matches(bytes("s3cret pw ")));
    assertFalse(password.matches(bytes("s3cret pws3cret pw")));
  }

  @Test
  void anEmptyGuessDoesNotMatch() {
    assertFalse(password.matches(new byte[0]));
  }

  @Test
  void anEmptySettingMeansNoPassword() {
    assertTrue(Password.fromSetting("").isEmpty());
    assertTrue(Password.fromSetting(" ").isPresent(), "a space is a password, as in Redis");
  }

  @Test
  void aPasswordIsItsUtf8Bytes() {
    assertTrue(Password.fromSetting("héllo").orElseThrow().matches(bytes("héllo")));
  }

  @Test
  void neverShowsItself() {
    assertEquals("Password(redacted)", password.toString());
    String settings = AuthSettings.defaults().withPassword("s3cret pw").withMetricsNeedPassword(true).toString();
    assertFalse(settings.contains("s3cret"), settings);
  }
}
