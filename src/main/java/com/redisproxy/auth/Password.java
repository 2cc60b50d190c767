package com.redisproxy.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The clients' password, shared by both front ends. Only its SHA-256 digest is kept, and a
 * candidate is compared digest to digest in constant time: neither the bytes that match nor the
 * password's length show in how long a wrong guess takes.
 */
public final class Password {
  private final byte[] digest;

  private Password(byte[] secret) {
    this.digest = sha256(secret);
  }

  /** The password a setting holds, as its UTF-8 bytes; empty when the setting is empty (no auth). */
  public static Optional<Password> fromSetting(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(new Password(value.getBytes(StandardCharsets.UTF_8)));
  }

  public boolean matches(byte[] candidate) {
    return MessageDigest.isEqual(digest, sha256(candidate));
  }

  @Override
  public String toString() {
    return "Password(redacted)";
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
