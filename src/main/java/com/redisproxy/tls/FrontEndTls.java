package com.redisproxy.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/** The server side of TLS for both front ends: one context, built at start-up, and an engine per connection. */
public record FrontEndTls(SSLContext context) {
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  // The key store lives in memory only; KeyManagerFactory wants some password.
  private static final char[] IN_MEMORY = "front-end".toCharArray();

  /**
   * @param chain the server's certificate first, then any intermediates
   * @throws IllegalArgumentException when the key is not the certificate's
   */
  public static FrontEndTls of(List<X509Certificate> chain, PrivateKey key) {
    if (!belongTogether(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException("the private key does not match the certificate's public key ("
          + chain.get(0).getSubjectX500Principal().getName() + ")");
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("front-end", key, IN_MEMORY, chain.toArray(new Certificate[0]));
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, IN_MEMORY);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return new FrontEndTls(context);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot build a TLS context from this key and certificate: " + e.getMessage());
    }
  }

  /** A server-mode engine speaking TLS 1.3 or 1.2 only, with no client certificate asked for. */
  public SSLEngine newServerEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(
        Arrays.stream(engine.getSupportedProtocols()).filter(PROTOCOLS::contains).toArray(String[]::new));
    return engine;
  }

  // A signature the certificate's key verifies proves the pair, whatever the algorithm; a mismatch
  // would otherwise surface only as every client's handshake failing.
  private static boolean belongTogether(PrivateKey key, PublicKey certified) {
    byte[] probe = "redis-proxy key check".getBytes(StandardCharsets.US_ASCII);
    try {
      String algorithm = signatureAlgorithm(key);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // e.g. an EC key against an RSA certificate
    }
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448 name their own signature
    };
  }
}
