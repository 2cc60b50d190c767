package com.redisproxy.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The credentials in an Authorization header: {@code Bearer <password>} (Redis's default user), or
 * {@code Basic} with a user and password. The proxy's own gate takes only the user {@code default}. Read from the header's text rather than
 * pekko-http's model, which cannot parse a Bearer password that is not a token68 (spaces, '!').
 */
final class AuthorizationHeader {
  private static final byte[] DEFAULT_USER = "default".getBytes(StandardCharsets.US_ASCII);

  private AuthorizationHeader() {}

  /** A Redis user and its password, as a header names them; Bearer's password is the default user's. */
  record Credentials(String user, byte[] password) {}

  /** The user and password given; empty for another scheme or a malformed header. */
  static Optional<Credentials> credentials(String header) {
    int space = header.indexOf(' ');
    if (space < 0) return Optional.empty();
    String scheme = header.substring(0, space).toLowerCase(Locale.ROOT);
    String given = header.substring(space + 1).strip();
    if (scheme.equals("bearer")) return Optional.of(new Credentials("default", given.getBytes(StandardCharsets.UTF_8)));
    if (!scheme.equals("basic")) return Optional.empty();
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(given);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = indexOf(decoded, (byte) ':');
    if (colon < 0) return Optional.empty();
    return Optional.of(new Credentials(new String(decoded, 0, colon, StandardCharsets.ISO_8859_1),
        Arrays.copyOfRange(decoded, colon + 1, decoded.length)));
  }

  /** The password given, as bytes; empty for another scheme, another user or a malformed header. */
  static Optional<byte[]> password(String header) {
    int space = header.indexOf(' ');
    if (space < 0) return Optional.empty();
    String scheme = header.substring(0, space).toLowerCase(Locale.ROOT);
    String credentials = header.substring(space + 1).strip();
    return switch (scheme) {
      case "bearer" -> Optional.of(credentials.getBytes(StandardCharsets.UTF_8));
      case "basic" -> basic(credentials);
      default -> Optional.empty();
    };
  }

  private static Optional<byte[]> basic(String base64) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = indexOf(decoded, (byte) ':');
    if (colon < 0 || !Arrays.equals(decoded, 0, colon, DEFAULT_USER, 0, DEFAULT_USER.length)) return Optional.empty();
    return Optional.of(Arrays.copyOfRange(decoded, colon + 1, decoded.length));
  }

  private static int indexOf(byte[] bytes, byte wanted) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == wanted) return i;
    }
    return -1;
  }
}
