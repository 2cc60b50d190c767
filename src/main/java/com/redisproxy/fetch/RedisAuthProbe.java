package com.redisproxy.fetch;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;

/**
 * Asks a Redis, without credentials, whether it requires authentication: what protected mode
 * needs to know before the proxy serves beyond loopback without a password of its own.
 */
public final class RedisAuthProbe {
  private RedisAuthProbe() {}

  /**
   * True when Redis refuses a client without credentials (-NOAUTH); false when it lets it in.
   *
   * @throws IllegalStateException when Redis cannot be asked (unreachable)
   */
  public static boolean requiresAuthentication(RedisURI address, Duration timeout) {
    RedisURI anonymous = RedisURI.builder().withHost(address.getHost()).withPort(address.getPort())
        .withSsl(address.isSsl()).withVerifyPeer(address.getVerifyMode()).withTimeout(timeout).build();
    RedisClient client = RedisClient.create();
    try (StatefulRedisConnection<String, String> connection = client.connect(anonymous)) {
      connection.sync().ping();
      return false;
    } catch (RuntimeException e) {
      if (mentionsNoauth(e)) return true;
      throw new IllegalStateException("cannot ask the backing Redis whether it requires authentication: "
          + Failures.rootMessage(e), e);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  private static boolean mentionsNoauth(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (String.valueOf(cause.getMessage()).contains("NOAUTH")) return true;
    }
    return false;
  }
}
