package com.redisproxy.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProtectedModeTest {

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1, true", "127.1.2.3, true", "localhost, true", "LocalHost, true", "::1, true", "[::1], true",
      "0:0:0:0:0:0:0:1, true",
      "0.0.0.0, false", "::, false", "10.1.2.3, false", "192.168.0.1, false", "128.0.0.1, false",
      "127.0.0.256, false", "proxy.internal, false", "localhost.example.com, false", "fe80::1, false"})
  void loopbackIsOnly127SlashEightColonColonOneAndLocalhost(String host, boolean loopback) {
    assertEquals(loopback, ProtectedMode.isLoopback(host), host);
  }

  @Test
  void refusesOnlyWithoutPasswordOnANonLoopbackHostWhileOn() {
    AuthSettings none = AuthSettings.defaults();
    AuthSettings withPassword = AuthSettings.defaults().withPassword("pw");
    AuthSettings off = AuthSettings.defaults().withProtectedMode(false);
    assertTrue(ProtectedMode.refuses("0.0.0.0", none));
    assertTrue(ProtectedMode.refuses("10.1.2.3", none));
    assertFalse(ProtectedMode.refuses("127.0.0.1", none));
    assertFalse(ProtectedMode.refuses("localhost", none));
    assertFalse(ProtectedMode.refuses("::1", none));
    assertFalse(ProtectedMode.refuses("0.0.0.0", withPassword));
    assertFalse(ProtectedMode.refuses("0.0.0.0", off));
  }
}
