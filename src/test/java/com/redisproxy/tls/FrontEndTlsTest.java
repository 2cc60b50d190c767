package com.redisproxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM loading and the key check, on key pairs keytool makes at test time (RSA and EC). */
class FrontEndTlsTest {
  @TempDir static Path dir;
  private static Path rsaCert;
  private static Path rsaKey;
  private static Path ecCert;
  private static Path ecKey;

  @BeforeAll
  static void makeKeyPairs() throws Exception {
    rsaCert = dir.resolve("rsa-cert.pem");
    rsaKey = dir.resolve("rsa-key.pem");
    ecCert = dir.resolve("ec-cert.pem");
    ecKey = dir.resolve("ec-key.pem");
    selfSigned("RSA", rsaCert, rsaKey);
    selfSigned("EC", ecCert, ecKey);
  }

  @Test
  void aPkcs8KeyAndItsCertificateMakeAServerContext() {
    for (Path[] pair : new Path[][] {{rsaCert, rsaKey}, {ecCert, ecKey}}) {
      List<X509Certificate> chain = PemFiles.certificateChain(pair[0]);
      assertEquals(1, chain.size());
      FrontEndTls tls = FrontEndTls.of(chain, PemFiles.privateKey(pair[1]));
      SSLEngine engine = tls.newServerEngine();
      assertEquals(false, engine.getUseClientMode());
      assertEquals(Set.of("TLSv1.3", "TLSv1.2"), Set.of(engine.getEnabledProtocols()));
    }
  }

  @Test
  void aKeyOfAnotherPairIsRefusedAsNotMatching() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    PrivateKey stranger = rsa.generateKeyPair().getPrivate();
    List<X509Certificate> chain = PemFiles.certificateChain(rsaCert);
    String problem = assertThrows(IllegalArgumentException.class, () -> FrontEndTls.of(chain, stranger)).getMessage();
    assertTrue(problem.startsWith("the private key does not match the certificate"), problem);
    assertThrows(IllegalArgumentException.class, () -> FrontEndTls.of(chain, PemFiles.privateKey(ecKey)));
  }

  @Test
  void garbageIsRefusedSayingWhatWasExpected() throws IOException {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a PEM file at all\n");
    assertTrue(message(() -> PemFiles.certificateChain(garbage)).endsWith("holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
    assertTrue(message(() -> PemFiles.privateKey(garbage)).endsWith("holds no PEM private key (-----BEGIN PRIVATE KEY-----)"));
    assertTrue(message(() -> PemFiles.certificateChain(rsaKey)).contains("holds no PEM certificate"));
    assertTrue(message(() -> PemFiles.privateKey(rsaCert)).contains("holds no PEM private key"));
    Path badBody = Files.writeString(dir.resolve("bad-body.pem"),
        "-----BEGIN PRIVATE KEY-----\nAAAAbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    assertTrue(message(() -> PemFiles.privateKey(badBody)).endsWith("is not an RSA, EC or EdDSA PKCS#8 key"));
    Path badCert = Files.writeString(dir.resolve("bad-cert.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAAbm90IGEga2V5\n-----END CERTIFICATE-----\n");
    assertTrue(message(() -> PemFiles.certificateChain(badCert)).endsWith("CERTIFICATE block 1 is not an X.509 certificate"));
    assertEquals("cannot read '" + dir.resolve("absent.pem") + "': no such file",
        message(() -> PemFiles.privateKey(dir.resolve("absent.pem"))));
  }

  @Test
  void traditionalAndEncryptedKeysAreRefusedWithTheConversionCommand() throws IOException {
    for (String label : List.of("RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY")) {
      Path key = Files.writeString(dir.resolve("other.pem"), "-----BEGIN " + label + "-----\n"
          + "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END " + label + "-----\n");
      assertTrue(message(() -> PemFiles.privateKey(key)).contains("openssl pkcs8 -topk8 -nocrypt"), label);
    }
  }

  @Test
  void aKeyFileMayCarryTheCertificateToo() throws IOException {
    Path both = dir.resolve("both.pem");
    Files.writeString(both, Files.readString(rsaCert) + Files.readString(rsaKey));
    FrontEndTls.of(PemFiles.certificateChain(both), PemFiles.privateKey(both));
  }

  @Test
  void aChainKeepsTheFilesOrderLeafFirst() throws IOException {
    Path chainFile = dir.resolve("chain.pem");
    Files.writeString(chainFile, "leaf\n" + Files.readString(ecCert) + "issuer\n" + Files.readString(rsaCert));
    List<X509Certificate> chain = PemFiles.certificateChain(chainFile);
    assertEquals(List.of(PemFiles.certificateChain(ecCert).get(0), PemFiles.certificateChain(rsaCert).get(0)), chain);
  }

  private static String message(Runnable step) {
    return assertThrows(IllegalArgumentException.class, step::run).getMessage();
  }

  /** keytool makes the pair and certificate; the PEM files are written here, as openssl would. */
  private static void selfSigned(String algorithm, Path certFile, Path keyFile) throws Exception {
    Path store = dir.resolve(algorithm + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "k", "-keyalg", algorithm, "-dname", "CN=localhost", "-validity", "1",
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    Files.writeString(certFile, pem("CERTIFICATE", keys.getCertificate("k").getEncoded()));
    Files.writeString(keyFile, pem("PRIVATE KEY", keys.getKey("k", "changeit".toCharArray()).getEncoded()));
  }

  private static String pem(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }
}
