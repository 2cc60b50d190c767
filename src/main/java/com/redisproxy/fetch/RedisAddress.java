package com.redisproxy.fetch;

import io.lettuce.core.RedisURI;

/** Parses REDIS_ADDRESS: {@code host:port}, or a {@code redis://} / {@code rediss://} URI. */
public final class RedisAddress {

  private RedisAddress() {}

  /** @throws IllegalArgumentException with a message that names what is wrong */
  public static RedisURI parse(String address) {
    String text = address == null ? "" : address.trim();
    if (text.isEmpty()) throw new IllegalArgumentException("is empty");
    if (text.contains("://")) return parseUri(text);
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException(
          "'" + text + "' is not host:port or a redis:// or rediss:// URI");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    return RedisURI.Builder.redis(host, parsePort(text.substring(colon + 1), text)).build();
  }

  /** The address for logs and messages: no user name, never the password. */
  public static String redacted(RedisURI uri) {
    String scheme = uri.isSsl() ? "rediss" : "redis";
    return scheme + "://" + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
  }

  /** The user name and password in the address, for connections the proxy opens itself. */
  public static java.util.Optional<io.lettuce.core.RedisCredentials> credentials(RedisURI uri) {
    // A URI's credentials provider is static: resolving it does not wait.
    return java.util.Optional.ofNullable(uri.getCredentialsProvider().resolveCredentials().block());
  }

  private static RedisURI parseUri(String text) {
    if (!text.startsWith("redis://") && !text.startsWith("rediss://")) {
      throw new IllegalArgumentException("unsupported scheme in '" + schemeOf(text) + "://...': use redis:// or rediss://");
    }
    RedisURI uri;
    try {
      uri = RedisURI.create(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("is not a valid Redis URI (" + e.getMessage() + ")");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) throw new IllegalArgumentException("has no host");
    if (uri.getPort() < 1 || uri.getPort() > 65535) throw new IllegalArgumentException("port out of range 1-65535");
    return uri;
  }

  private static String schemeOf(String text) {
    return text.substring(0, text.indexOf("://"));
  }

  private static int parsePort(String port, String whole) {
    try {
      int value = Integer.parseInt(port);
      if (value >= 1 && value <= 65535) return value;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("'" + whole + "' has port '" + port + "', expected 1-65535");
  }
}
