package com.redisproxy.fetch.location;

import io.lettuce.core.RedisURI;
import java.util.Optional;

/** Where the backing Redis is now: one fixed address, or the master a set of Sentinels names. */
public interface RedisLocation extends AutoCloseable {

  /** The Redis to connect to now; empty while no master is known. One instance per address. */
  Optional<RedisURI> current();

  /** Why {@link #current()} is empty, in words fit for a client's error. */
  String unknownReason();

  /** {@code listener} runs, on another thread, each time {@link #current()} changes. */
  void onChange(Runnable listener);

  @Override
  void close();

  /** One Redis that never moves. */
  static RedisLocation fixed(RedisURI uri) {
    Optional<RedisURI> always = Optional.of(uri);
    return new RedisLocation() {
      @Override
      public Optional<RedisURI> current() {
        return always;
      }

      @Override
      public String unknownReason() {
        return "never unknown";
      }

      @Override
      public void onChange(Runnable listener) {}

      @Override
      public void close() {}
    };
  }
}
