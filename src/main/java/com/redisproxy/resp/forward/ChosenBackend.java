package com.redisproxy.resp.forward;

import com.redisproxy.resp.command.RedisLogin;

/**
 * One client connection's backend, remembered while its login and protocol stay the same object
 * and value and no user's connections on the loop have closed since: looking a login up in
 * {@link Backends#of} hashes and compares its user and password (Scala's hash of a ByteString,
 * a byte at a time), which for a Redis user's client was most of the per-request cost that the
 * proxy's own user's clients do not pay. Used by the connection's loop only.
 */
final class ChosenBackend {
  private final Backends backends;
  private RedisLogin login;
  private boolean resp3;
  private long closings = -1;
  private Backend backend;

  ChosenBackend(Backends backends) {
    this.backends = backends;
  }

  Backend of(RedisLogin now, boolean resp3Now) {
    long closingsNow = backends.closings();
    if (now != login || resp3Now != resp3 || closingsNow != closings) {
      backend = backends.of(now, resp3Now);
      login = now;
      resp3 = resp3Now;
      closings = closingsNow;
    }
    return backend;
  }
}
