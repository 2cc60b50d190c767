package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.redisproxy.system.support.FreePort;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import com.redisproxy.system.support.ThrowawayCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import com.redisproxy.system.support.Eventually;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** rediss:// against a TLS-only Redis port, with a throwaway self-signed certificate. */
class TlsIT {

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new AssertionError(command + " failed:\n" + output);
    }
  }

  @Test
  void redissConnectsOverTlsAndRefusesAnUntrustedCertificate() throws Exception {
    assumeTrue(ThrowawayCertificate.opensslInstalled(), "openssl is not installed: skipping the TLS test");
    Path dir = Files.createTempDirectory("redis-tls");
    ThrowawayCertificate certificate = ThrowawayCertificate.make(dir, "redis");
    Path cert = certificate.certFile();
    Path key = certificate.keyFile();
    Path trustStore = dir.resolve("trust.p12");
    run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
        "-alias", "test-redis", "-file", cert.toString(), "-keystore", trustStore.toString(),
        "-storetype", "PKCS12", "-storepass", "changeit"));
    int tlsPort = FreePort.find();
    try (TestRedis redis = TestRedis.started("tls-port " + tlsPort, "tls-cert-file " + cert, "tls-key-file " + key,
        "tls-ca-cert-file " + cert, "tls-auth-clients no")) {
      redis.set("over-tls", "encrypted on the wire");
      String address = "rediss://127.0.0.1:" + tlsPort;
      String trusting = "-Djavax.net.ssl.trustStore=" + trustStore + " -Djavax.net.ssl.trustStorePassword=changeit";
      try (ProxyProcess proxy = ProxyProcess.start(address, Map.of("JAVA_TOOL_OPTIONS", trusting))) {
        Eventually.await(Duration.ofSeconds(10), "the TLS connection is up",
            () -> proxy.get("over-tls").statusCode() == 200);
        assertEquals("encrypted on the wire", body(proxy.get("over-tls")));
      }
      try (ProxyProcess untrusting = ProxyProcess.start(address, Map.of())) {
        assertEquals(502, untrusting.get("over-tls").statusCode(), "a certificate nobody trusts is refused");
      }
    }
  }
}
