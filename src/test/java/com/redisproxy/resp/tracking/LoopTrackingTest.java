package com.redisproxy.resp.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class LoopTrackingTest {
  private static final String PUSH_A = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n";
  private static final String PUSH_FLUSH = ">2\r\n$10\r\ninvalidate\r\n_\r\n";

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final List<String> delivered = new ArrayList<>();
  private final Redirects redirects = new Redirects() {
    @Override
    public boolean exists(long id) {
      return id == 99;
    }

    @Override
    public boolean deliver(long id, Optional<List<ByteString>> keys, boolean trackerResp3) {
      if (id != 99) return false;
      delivered.add(keys.map(some -> String.join(",", some.stream().map(ByteString::utf8String).toList())).orElse("null"));
      return true;
    }
  };
  private final ClientTrackingHub hub = new ClientTrackingHub(100);
  private final LoopTracking loop = hub.loop(channel.eventLoop(), redirects);

  /** A client connection: what it was written, and replies still owed that hold invalidations back. */
  private static final class Client implements TrackingClient {
    final long id;
    final boolean resp3;
    final StringBuilder written = new StringBuilder();
    final List<Runnable> waiting = new ArrayList<>();
    boolean repliesOwed;

    Client(long id, boolean resp3) {
      this.id = id;
      this.resp3 = resp3;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public boolean resp3() {
      return resp3;
    }

    @Override
    public boolean subscribed() {
      return false;
    }

    @Override
    public void afterReplies(Runnable action) {
      if (repliesOwed) waiting.add(action);
      else action.run();
    }

    @Override
    public void write(ByteString message) {
      written.append(message.utf8String());
    }

    void repliesWritten() {
      repliesOwed = false;
      waiting.forEach(Runnable::run);
      waiting.clear();
    }
  }

  private static ByteString key(String text) {
    return ByteString.fromString(text);
  }

  private Tracker tracking(Client client, TrackingRequest mode) {
    Tracker tracker = loop.trackerFor(client);
    tracker.turn(mode);
    return tracker;
  }

  private void changed(String... keys) {
    hub.changed(java.util.Arrays.stream(keys).map(LoopTrackingTest::key).toList());
    channel.runPendingTasks();
  }

  @Test
  void aTrackingClientIsPushedTheKeysItReadAndNeverAnotherClientsKeys() {
    Client alice = new Client(1, true);
    Client bob = new Client(2, true);
    tracking(alice, new TrackingRequest(true, false, 0)).read(key("a"));
    tracking(bob, new TrackingRequest(true, false, 0)).read(key("secret"));
    changed("a", "b");
    assertEquals(PUSH_A, alice.written.toString());
    assertEquals("", bob.written.toString());
    changed("a"); // told once: forgotten until read again
    assertEquals(PUSH_A, alice.written.toString());
  }

  @Test
  void anInvalidationWaitsForTheRepliesOwedBeforeIt() {
    Client alice = new Client(1, true);
    tracking(alice, new TrackingRequest(true, false, 0)).read(key("a"));
    alice.repliesOwed = true;
    changed("a");
    assertEquals("", alice.written.toString());
    alice.repliesWritten();
    assertEquals(PUSH_A, alice.written.toString());
  }

  @Test
  void withNoloopAClientsOwnWriteIsNotToldToIt() {
    Client alice = new Client(1, true);
    Tracker tracker = tracking(alice, new TrackingRequest(true, true, 0));
    tracker.read(key("a"));
    tracker.wrote(List.of(key("a")));
    changed("a");
    assertEquals("", alice.written.toString());
    Client bob = new Client(2, true);
    Tracker other = tracking(bob, new TrackingRequest(true, false, 0));
    other.read(key("a"));
    other.wrote(List.of(key("a"))); // without NOLOOP its own write is told
    changed("a");
    assertEquals(PUSH_A, bob.written.toString());
  }

  @Test
  void everythingChangedIsANullInvalidationForEveryTrackingClientEvenOneThatReadNothing() {
    Client alice = new Client(1, true);
    Client idle = new Client(2, true);
    tracking(alice, new TrackingRequest(true, false, 0)).read(key("a"));
    tracking(idle, new TrackingRequest(true, false, 0));
    Client off = new Client(3, true);
    loop.trackerFor(off);
    hub.everythingChanged();
    channel.runPendingTasks();
    assertEquals(PUSH_FLUSH, alice.written.toString());
    assertEquals(PUSH_FLUSH, idle.written.toString());
    assertEquals("", off.written.toString());
    changed("a"); // the flush forgot it
    assertEquals(PUSH_FLUSH, alice.written.toString());
  }

  @Test
  void oneFlushHeardSeveralTimesIsToldOnceUntilTheClientReadsAgain() {
    Client alice = new Client(1, true);
    Tracker tracker = tracking(alice, new TrackingRequest(true, false, 0));
    hub.everythingChanged(); // Redis's FLUSHALL, as each tracking connection of the proxy hears it
    channel.runPendingTasks();
    hub.everythingChanged();
    channel.runPendingTasks();
    assertEquals(PUSH_FLUSH, alice.written.toString());
    tracker.read(key("a"));
    hub.everythingChanged();
    channel.runPendingTasks();
    assertEquals(PUSH_FLUSH + PUSH_FLUSH, alice.written.toString());
  }

  @Test
  void aRedirectingClientsInvalidationsGoToItsTargetAndABrokenRedirectIsSaid() {
    Client resp2 = new Client(1, false);
    tracking(resp2, new TrackingRequest(true, false, 99)).read(key("a"));
    changed("a");
    assertEquals(List.of("a"), delivered);
    assertEquals("", resp2.written.toString());
    Client resp3 = new Client(2, true);
    Tracker broken = tracking(resp3, new TrackingRequest(true, false, 42));
    broken.read(key("b"));
    changed("b");
    assertEquals(">2\r\n$21\r\ntracking-redir-broken\r\n:42\r\n", resp3.written.toString());
    assertTrue(broken.redirectBroken());
  }

  @Test
  void aResp2ClientWithoutRedirectIsSentNothingAsRedisSendsNothing() {
    Client resp2 = new Client(1, false);
    tracking(resp2, new TrackingRequest(true, false, 0)).read(key("a"));
    changed("a");
    assertEquals("", resp2.written.toString());
  }

  @Test
  void pastItsBoundAClientIsToldItsOldestKeyChanged() {
    LoopTracking small = new ClientTrackingHub(1).loop(new EmbeddedChannel().eventLoop(), redirects);
    Client alice = new Client(1, true);
    Tracker tracker = small.trackerFor(alice);
    tracker.turn(new TrackingRequest(true, false, 0));
    tracker.read(key("a"));
    tracker.read(key("b"));
    assertEquals(PUSH_A, alice.written.toString());
  }

  @Test
  void aReadRedisAnswersIsInvalidatedRightAfterItsReply() {
    Client alice = new Client(1, true);
    Tracker tracker = tracking(alice, new TrackingRequest(true, false, 0));
    alice.repliesOwed = true;
    tracker.readUnfollowed(Optional.of(List.of(key("a"))));
    assertEquals("", alice.written.toString());
    alice.repliesWritten();
    assertEquals(PUSH_A, alice.written.toString());
  }

  @Test
  void trackingOffForgetsTheKeysAndAClosedClientIsNoLongerTold() {
    Client alice = new Client(1, true);
    Tracker tracker = tracking(alice, new TrackingRequest(true, false, 0));
    tracker.read(key("a"));
    tracker.turn(TrackingRequest.OFF);
    changed("a");
    tracker.turn(new TrackingRequest(true, false, 0));
    tracker.read(key("a"));
    tracker.closed();
    hub.everythingChanged();
    channel.runPendingTasks();
    assertEquals("", alice.written.toString());
  }
}
