package com.redisproxy.fetch;

/** Why a connection failed, in words: Lettuce's and Netty's wrappers ("Unable to connect to [...]") hide it. */
public final class Failures {
  private Failures() {}

  /** The innermost cause's message, or its type when it has none; never null. */
  public static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }
}
