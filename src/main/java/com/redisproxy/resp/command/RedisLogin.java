package com.redisproxy.resp.command;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * Who a connection to Redis is: a Redis user and the password it logs in with (none: it sends no
 * AUTH, and is Redis's {@code default} user while that needs no password). Client sessions that
 * log in alike share the connections opened for it.
 */
public record RedisLogin(ByteString user, Optional<ByteString> password) {
  private static final ByteString DEFAULT_USER = ByteString.fromString("default");

  /** A connection that never authenticated. */
  public static final RedisLogin DEFAULT_WITHOUT_PASSWORD = new RedisLogin(DEFAULT_USER, Optional.empty());

  /** {@code AUTH password}: the default user. */
  public static RedisLogin of(Optional<ByteString> user, ByteString password) {
    return new RedisLogin(user.orElse(DEFAULT_USER), Optional.of(password));
  }

  /** As ACL LIST names users: each byte one ISO-8859-1 character. */
  public String userName() {
    return user.decodeString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return "RedisLogin[" + userName() + (password.isPresent() ? ", password" : ", no password") + "]";
  }
}
