package com.redisproxy.cache.store;

/** A source of monotonic time in nanoseconds, injected so that tests can move the clock. */
@FunctionalInterface
public interface Ticker {
  long read();

  Ticker SYSTEM = System::nanoTime;
}
