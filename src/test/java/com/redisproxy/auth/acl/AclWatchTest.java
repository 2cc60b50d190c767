package com.redisproxy.auth.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watch's polls, each ACL LIST answered by the test: a poll asked for by readAgain starts at
 * once, never waits for the timer (an hour here), and answers only those who asked before it started.
 */
class AclWatchTest {
  private static final List<String> NO_PASSWORD = List.of("user default on nopass ~* &* +@all");
  private static final List<String> PASSWORD = List.of("user default on #" + "a".repeat(64) + " ~* &* +@all");

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<CompletableFuture<List<String>>> asked = new ArrayList<>();
  private final ReadPermission permission = new ReadPermission();
  private final AclWatch watch = new AclWatch(new AclWatch.Source() {
    @Override
    public CompletionStage<List<String>> aclList() {
      CompletableFuture<List<String>> answer = new CompletableFuture<>();
      asked.add(answer);
      return answer;
    }

    @Override
    public CompletionStage<List<String>> category(String name) {
      return CompletableFuture.completedFuture(List.of());
    }
  }, permission, timer, Duration.ofHours(1));

  @AfterEach
  void stop() {
    watch.stop();
    timer.shutdownNow();
  }

  @Test
  void readAgainPollsAtOnceAndCompletesWithTheRulesItRead() {
    watch.start();
    asked.get(0).complete(NO_PASSWORD);
    assertEquals(false, permission.rules().defaultNeedsPassword().orElseThrow());

    CompletableFuture<Void> read = permission.readAgain().toCompletableFuture();
    assertEquals(2, asked.size(), "a poll now, not in an hour");
    assertFalse(read.isDone());
    asked.get(1).complete(PASSWORD);
    assertTrue(read.isDone());
    assertEquals(true, permission.rules().defaultNeedsPassword().orElseThrow(), "the rules are new by then");
  }

  @Test
  void readAgainDuringAPollWaitsForTheNextOneWhichFollowsAtOnce() {
    watch.start();
    CompletableFuture<Void> read = permission.readAgain().toCompletableFuture(); // the first poll started before it
    assertEquals(1, asked.size(), "one poll at a time");
    asked.get(0).complete(NO_PASSWORD);
    assertFalse(read.isDone(), "ACL LIST was asked before the change: its answer may not show it");
    assertEquals(2, asked.size(), "the next poll follows at once");
    asked.get(1).complete(PASSWORD);
    assertTrue(read.isDone());
    assertEquals(true, permission.rules().defaultNeedsPassword().orElseThrow());
  }

  @Test
  void aPollThatFailsStillAnswersThoseWaitingWithTheRulesUnknown() {
    watch.start();
    asked.get(0).complete(NO_PASSWORD);
    CompletableFuture<Void> read = permission.readAgain().toCompletableFuture();
    asked.get(1).completeExceptionally(new IllegalStateException("NOPERM"));
    assertTrue(read.isDone());
    assertFalse(permission.rules().known());
  }

  @Test
  void withoutAWatchNothingWaits() {
    assertTrue(ReadPermission.unknown().readAgain().toCompletableFuture().isDone());
  }
}
