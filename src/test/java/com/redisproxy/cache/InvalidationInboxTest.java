package com.redisproxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class InvalidationInboxTest {

  private static List<ByteString> keys(String... names) {
    return java.util.Arrays.stream(names).map(ByteString::fromString).toList();
  }

  @Test
  void queuedKeysAreTakenInOrderAndTheCountGoesBackToZero() {
    InvalidationInbox inbox = new InvalidationInbox(3);
    inbox.invalidated(keys("a", "b"));
    inbox.invalidated(keys("c"));
    InvalidationInbox.Taken taken = inbox.take();
    assertFalse(taken.everything());
    assertEquals(keys("a", "b", "c"), taken.keys());
    inbox.invalidated(keys("d", "e", "f"));
    assertEquals(keys("d", "e", "f"), inbox.take().keys(), "taken keys no longer count towards the bound");
  }

  @Test
  void aStormPastTheBoundClearsEverythingOnceAndLaterInvalidationsAreKeysAgain() {
    InvalidationInbox inbox = new InvalidationInbox(3);
    inbox.invalidated(keys("a", "b"));
    inbox.invalidated(keys("c", "d", "e"));
    assertTrue(inbox.take().everything());
    inbox.invalidated(keys("f", "g", "h"));
    InvalidationInbox.Taken afterTheStorm = inbox.take();
    assertFalse(afterTheStorm.everything(), "keys that were never queued must not stay counted");
    assertEquals(keys("f", "g", "h"), afterTheStorm.keys());
  }

  @Test
  void signalsTheActorOnceUntilItTakes() {
    InvalidationInbox inbox = new InvalidationInbox(10);
    AtomicInteger signals = new AtomicInteger();
    inbox.onArrival(signals::incrementAndGet);
    inbox.invalidated(keys("a"));
    inbox.invalidated(keys("b"));
    inbox.everythingInvalidated("flush");
    assertEquals(1, signals.get());
    inbox.take();
    inbox.invalidated(keys("c"));
    assertEquals(2, signals.get());
    assertEquals(4, inbox.messages());
  }
}
