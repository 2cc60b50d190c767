package com.redisproxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthorizationHeaderTest {

  private static String given(String header) {
    return AuthorizationHeader.password(header).map(bytes -> new String(bytes, StandardCharsets.UTF_8)).orElse("<none>");
  }

  private static String basic(String userAndPassword) {
    return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void bearerGivesEverythingAfterTheScheme() {
    assertEquals("pw", given("Bearer pw"));
    assertEquals("pw", given("bearer pw"));
    assertEquals("top secret!", given("Bearer top secret!"));
  }

  @Test
  void basicGivesThePasswordOfTheDefaultUserOnly() {
    assertEquals("pw", given(basic("default:pw")));
    assertEquals("a:b", given(basic("default:a:b")));
    assertEquals("", given(basic("default:")));
    assertEquals("<none>", given(basic("admin:pw")));
    assertEquals("<none>", given(basic("defaultx:pw")));
    assertEquals("<none>", given(basic("default")));
  }

  @Test
  void otherSchemesAndMalformedHeadersGiveNothing() {
    assertEquals(Optional.empty(), AuthorizationHeader.password("Digest username=x"));
    assertEquals(Optional.empty(), AuthorizationHeader.password("Bearer"));
    assertEquals(Optional.empty(), AuthorizationHeader.password("Basic ***"));
    assertTrue(AuthorizationHeader.password("").isEmpty());
  }
}
