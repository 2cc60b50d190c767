package com.redisproxy;

/** A setting that cannot be used; its message names the setting and says what was expected. */
public final class InvalidSettingException extends RuntimeException {
  public InvalidSettingException(String message) {
    super(message);
  }
}
