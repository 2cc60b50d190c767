package com.redisproxy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;

/** Waits, without blocking a thread, until nothing is pending or a deadline passes. */
final class Drain {
  private static final Duration POLL = Duration.ofMillis(20);

  private Drain() {}

  static CompletionStage<Done> untilZero(IntSupplier pending, Duration deadline, ActorSystem<?> system) {
    CompletableFuture<Done> drained = new CompletableFuture<>();
    poll(pending, System.nanoTime() + deadline.toNanos(), system, drained);
    return drained;
  }

  private static void poll(IntSupplier pending, long deadlineNanos, ActorSystem<?> system, CompletableFuture<Done> drained) {
    if (pending.getAsInt() == 0 || System.nanoTime() - deadlineNanos >= 0) {
      drained.complete(Done.getInstance());
      return;
    }
    system.scheduler().scheduleOnce(POLL, () -> poll(pending, deadlineNanos, system, drained), system.executionContext());
  }
}
