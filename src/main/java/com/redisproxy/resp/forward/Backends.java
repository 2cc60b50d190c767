package com.redisproxy.resp.forward;

import com.redisproxy.resp.command.RedisLogin;

/**
 * Where one event loop's clients forward, by the Redis user each acts as: a connection per user
 * ({@link LoginBackends}), or, in front of a Redis Cluster, the cluster client for everyone. A
 * connection tells it when it starts and stops acting as a user, so that unused connections close.
 */
public interface Backends {
  Backend of(RedisLogin login, boolean resp3);

  default void join(RedisLogin login) {}

  default void leave(RedisLogin login) {}

  /** Redis refused {@code login} (a client's AUTH): its connections close unless a client acts as it. */
  default void refused(RedisLogin login) {}

  /**
   * How many times a user's connections on this loop have closed (its last client left, or its AUTH
   * was refused): a backend {@link #of} gave before may be closed since only when this has moved.
   */
  default long closings() {
    return 0;
  }

  /** One backend for everyone (in front of a cluster: the cluster client). */
  static Backends everyone(Backend backend) {
    return (login, resp3) -> backend;
  }
}
