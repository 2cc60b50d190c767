package com.redisproxy.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PEM certificate chain and a PEM private key. Problems are {@link IllegalArgumentException}s
 * whose message says what the file should hold, so the caller can name the setting beside it.
 */
public final class PemFiles {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String CONVERT = "convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8`";
  // Tried in turn: PKCS#8 names its algorithm inside, and only the matching factory accepts it.
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA");

  private PemFiles() {}

  /** Every CERTIFICATE block in the file, in its order (leaf first); other blocks and text are skipped. */
  public static List<X509Certificate> certificateChain(Path file) {
    Matcher block = BLOCK.matcher(new String(read(file), StandardCharsets.US_ASCII));
    List<X509Certificate> chain = new ArrayList<>();
    while (block.find()) {
      if (block.group(1).equals("CERTIFICATE")) chain.add(certificate(file, chain.size() + 1, block.group(2)));
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("'" + file + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return List.copyOf(chain);
  }

  /** The one private key in the file: unencrypted PKCS#8 (BEGIN PRIVATE KEY), RSA, EC or EdDSA. */
  public static PrivateKey privateKey(Path file) {
    Matcher block = BLOCK.matcher(new String(read(file), StandardCharsets.US_ASCII));
    while (block.find()) {
      String label = block.group(1);
      switch (label) {
        case "PRIVATE KEY" -> {
          return pkcs8(file, block.group(2));
        }
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new IllegalArgumentException(
            "'" + file + "' holds a traditional " + label + "; only PKCS#8 (BEGIN PRIVATE KEY) is read: " + CONVERT);
        case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(
            "'" + file + "' holds an encrypted key; the proxy reads unencrypted PKCS#8 only: " + CONVERT);
        default -> {
          // a certificate or parameters beside the key: look further
        }
      }
    }
    throw new IllegalArgumentException("'" + file + "' holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }

  private static X509Certificate certificate(Path file, int number, String base64) {
    byte[] der = decode(file, "CERTIFICATE", base64);
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("'" + file + "': CERTIFICATE block " + number + " is not an X.509 certificate");
    }
  }

  private static PrivateKey pkcs8(Path file, String base64) {
    byte[] der = decode(file, "PRIVATE KEY", base64);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException notThisAlgorithm) {
        // try the next
      }
    }
    throw new IllegalArgumentException("'" + file + "': the PRIVATE KEY block is not an RSA, EC or EdDSA PKCS#8 key");
  }

  private static byte[] decode(Path file, String label, String base64) {
    try {
      return Base64.getMimeDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + file + "': a " + label + " block is not valid base64");
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read '" + file + "': no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("cannot read '" + file + "': permission denied");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read '" + file + "': " + e.getMessage());
    }
  }
}
