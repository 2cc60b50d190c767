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
    inbox.invalidated(keys("early"));
    inbox.onArrival(signals::incrementAndGet);
    assertEquals(1, signals.get(), "what came before the actor started is taken when it starts");
    inbox.take();
    inbox.invalidated(keys("a"));
    inbox.invalidated(keys("b"));
    inbox.everythingInvalidated("flush");
    assertEquals(2, signals.get());
    inbox.take();
    inbox.invalidated(keys("c"));
    assertEquals(3, signals.get());
    assertEquals(5, inbox.messages());
  }

  @Test
  void theLeaseIsHeldUntilALeaseAfterTheOldestOfTheChannelsLatestPings() {
    InvalidationInbox inbox = new InvalidationInbox(10, java.time.Duration.ofNanos(1000));
    assertFalse(inbox.leaseHeld(0), "no channel, no lease");
    inbox.leaseRenewed("a", 100);
    inbox.leaseRenewed("b", 300);
    inbox.leaseRenewed("a", 50); // a PING answered out of order renews nothing
    assertTrue(inbox.leaseHeld(1099));
    assertFalse(inbox.leaseHeld(1100));
    inbox.leaseRenewed("a", 400);
    assertTrue(inbox.leaseHeld(1299));
    assertFalse(inbox.leaseHeld(1300));
    inbox.leaseLost("b", java.util.Optional.empty(), "test");
    assertTrue(inbox.leaseHeld(1399));
    assertTrue(inbox.take().everything(), "a lost channel's keys are dropped");
    assertEquals(inbox.take().lease(), new InvalidationInbox.Lease(true, 1400));
  }

  @Test
  void withoutALeaseALostChannelDropsNothingAndReadinessIgnoresIt() {
    InvalidationInbox inbox = new InvalidationInbox(10);
    inbox.leaseRenewed("a", 100);
    inbox.leaseLost("a", java.util.Optional.empty(), "test");
    assertFalse(inbox.take().everything());
    assertTrue(inbox.leaseHeld(Long.MAX_VALUE));
  }
}
