package com.redisproxy.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.ProxyProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad configuration ends the real jar quickly with one clear line naming the setting. */
class ConfigurationIT {

  private static String runUntilExit(Map<String, String> env) {
    try (ProxyProcess proxy = ProxyProcess.launch(env)) {
      int exitCode = proxy.awaitExit(Duration.ofSeconds(20));
      assertNotEquals(0, exitCode, proxy.output());
      return proxy.output();
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "CACHE_CAPACITY      | -1        | CACHE_CAPACITY",
      "CACHE_CAPACITY      | lots      | CACHE_CAPACITY",
      "GLOBAL_CACHE_EXPIRY | soon      | GLOBAL_CACHE_EXPIRY",
      "GLOBAL_CACHE_EXPIRY | -5        | GLOBAL_CACHE_EXPIRY",
      "REDIS_ADDRESS       | nohostport| REDIS_ADDRESS",
      "REDIS_ADDRESS       | host:99999| REDIS_ADDRESS",
      "REDIS_ADDRESS       | http://x:1| REDIS_ADDRESS",
      "PROXY_PORT          | 70000     | PROXY_PORT",
  })
  void invalidSettingExitsWithOneLineNamingIt(String variable, String value, String named) {
    String output = runUntilExit(Map.of(variable, value));
    String[] lines = output.strip().split("\n");
    assertEquals(1, lines.length, "expected one line, got:\n" + output);
    assertTrue(lines[0].startsWith("redis-proxy: invalid configuration: " + named), output);
    assertFalse(output.contains("Exception"), output);
  }

  @Test
  void aPortAlreadyInUseEndsTheProcessWithAClearMessage() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String output = runUntilExit(Map.of("PROXY_PORT", String.valueOf(taken.getLocalPort())));
      assertTrue(output.contains("redis-proxy: cannot listen for HTTP on 127.0.0.1:" + taken.getLocalPort()), output);
    }
  }

  @Test
  void respPortZeroTurnsTheRespFrontEndOff() {
    try (ProxyProcess proxy = ProxyProcess.start("127.0.0.1:1", Map.of("PROXY_RESP_PORT", "0"))) {
      assertTrue(proxy.output().contains("RESP off"), proxy.output());
      assertEquals(200, proxy.request("GET", "/health").statusCode());
    }
  }
}
