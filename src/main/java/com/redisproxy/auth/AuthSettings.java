package com.redisproxy.auth;

import java.util.Optional;

/**
 * Client authentication for both front ends.
 *
 * @param password none: every client is let in, as Redis does without requirepass
 * @param metricsNeedPassword whether HTTP /metrics asks for the password as /proxy does
 * @param protectedMode without a password, refuse to listen on anything but loopback, unless the
 *     backing Redis itself requires authentication
 * @param anonymousRefused protected mode let the proxy serve beyond loopback without a password
 *     because Redis requires authentication: a client that has not authenticated to Redis is
 *     refused whatever Redis's default user becomes later
 */
public record AuthSettings(Optional<Password> password, boolean metricsNeedPassword, boolean protectedMode,
    boolean anonymousRefused) {

  public AuthSettings(Optional<Password> password, boolean metricsNeedPassword, boolean protectedMode) {
    this(password, metricsNeedPassword, protectedMode, false);
  }

  /** Serving beyond loopback without a password, as protected mode allows while Redis requires authentication. */
  public AuthSettings refusingAnonymous() {
    return new AuthSettings(password, metricsNeedPassword, protectedMode, true);
  }

  /** The defaults of reference.conf: no password, /metrics open, protected mode on. */
  public static AuthSettings defaults() {
    return new AuthSettings(Optional.empty(), false, true);
  }

  /** @param password as the setting holds it; empty for none */
  public AuthSettings withPassword(String password) {
    return new AuthSettings(Password.fromSetting(password), metricsNeedPassword, protectedMode);
  }

  public AuthSettings withMetricsNeedPassword(boolean metricsNeedPassword) {
    return new AuthSettings(password, metricsNeedPassword, protectedMode);
  }

  public AuthSettings withProtectedMode(boolean protectedMode) {
    return new AuthSettings(password, metricsNeedPassword, protectedMode);
  }

  public boolean required() {
    return password.isPresent();
  }

  // Password hides itself too; this keeps the record safe should a field ever change type.
  @Override
  public String toString() {
    return "AuthSettings[password=" + (required() ? "set" : "none") + ", metricsNeedPassword=" + metricsNeedPassword
        + ", protectedMode=" + protectedMode + (anonymousRefused ? ", anonymous refused" : "") + "]";
  }
}
