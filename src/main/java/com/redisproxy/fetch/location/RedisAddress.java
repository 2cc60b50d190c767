package com.redisproxy.fetch.location;

import io.lettuce.core.RedisURI;

/**
 * Parses REDIS_ADDRESS: {@code host:port}, a {@code redis://} / {@code rediss://} URI, Lettuce's
 * {@code redis-sentinel://[password@]h1:p1,h2:p2[/db]#master} (or {@code rediss-sentinel://}), or
 * {@code redis-cluster://[user:password@]h1:p1,h2:p2} (or {@code rediss-cluster://}) for a cluster's
 * seed nodes.
 */
public final class RedisAddress {
  private static final String SCHEMES =
      "use redis://, rediss://, redis-sentinel://, rediss-sentinel://, redis-cluster:// or rediss-cluster://";

  private RedisAddress() {}

  /** @throws IllegalArgumentException with a message that names what is wrong */
  public static RedisTarget parseTarget(String address) {
    String text = address == null ? "" : address.trim();
    if (text.startsWith("redis-sentinel://") || text.startsWith("rediss-sentinel://")) return parseSentinel(text);
    if (text.startsWith("redis-cluster://") || text.startsWith("rediss-cluster://")) return parseCluster(text);
    return new RedisTarget.Standalone(parse(text));
  }

  /** One Redis: {@code host:port} or a {@code redis://} / {@code rediss://} URI. */
  public static RedisURI parse(String address) {
    String text = address == null ? "" : address.trim();
    if (text.isEmpty()) throw new IllegalArgumentException("is empty");
    if (text.contains("://")) return parseUri(text);
    return hostAndPort(text, text);
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

  private static RedisTarget parseSentinel(String text) {
    if (!text.contains("#") || text.endsWith("#")) {
      throw new IllegalArgumentException("names no master: end the Sentinel URI with #<master name>");
    }
    RedisURI uri;
    try {
      uri = RedisURI.create(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("is not a valid Sentinel URI (" + e.getMessage() + ")");
    }
    if (uri.getSentinels().isEmpty()) throw new IllegalArgumentException("names no sentinel");
    for (RedisURI sentinel : uri.getSentinels()) {
      if (sentinel.getPort() < 1 || sentinel.getPort() > 65535) {
        throw new IllegalArgumentException("sentinel port out of range 1-65535");
      }
    }
    return new RedisTarget.Sentinel(uri);
  }

  // Lettuce has no URI for a cluster: each seed becomes a redis:// URI with the shared credentials.
  private static RedisTarget parseCluster(String text) {
    boolean tls = text.startsWith("rediss-cluster://");
    String rest = text.substring(text.indexOf("://") + 3);
    int at = rest.lastIndexOf('@');
    String userInfo = at < 0 ? null : rest.substring(0, at);
    String nodes = at < 0 ? rest : rest.substring(at + 1);
    int slash = nodes.indexOf('/');
    if (slash >= 0) {
      String database = nodes.substring(slash + 1);
      if (!database.isEmpty() && !database.equals("0")) {
        throw new IllegalArgumentException("names database " + database + ": a Redis Cluster has database 0 only");
      }
      nodes = nodes.substring(0, slash);
    }
    if (nodes.isBlank()) throw new IllegalArgumentException("names no cluster node");
    java.util.List<RedisURI> seeds = new java.util.ArrayList<>();
    for (String node : nodes.split(",")) {
      RedisURI seed = hostAndPort(node.trim(), text);
      seed.setSsl(tls);
      if (userInfo != null) {
        String decoded = java.net.URLDecoder.decode(userInfo, java.nio.charset.StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon < 0) seed.setCredentialsProvider(io.lettuce.core.RedisCredentialsProvider.from(
            () -> io.lettuce.core.RedisCredentials.just(null, decoded)));
        else seed.setCredentialsProvider(io.lettuce.core.RedisCredentialsProvider.from(
            () -> io.lettuce.core.RedisCredentials.just(
                colon == 0 ? null : decoded.substring(0, colon), decoded.substring(colon + 1))));
      }
      seeds.add(seed);
    }
    return new RedisTarget.Cluster(seeds);
  }

  private static RedisURI hostAndPort(String text, String whole) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not host:port or a redis:// or rediss:// URI");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    return RedisURI.Builder.redis(host, parsePort(text.substring(colon + 1), whole)).build();
  }

  private static RedisURI parseUri(String text) {
    if (!text.startsWith("redis://") && !text.startsWith("rediss://")) {
      throw new IllegalArgumentException("unsupported scheme in '" + schemeOf(text) + "://...': " + SCHEMES);
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
