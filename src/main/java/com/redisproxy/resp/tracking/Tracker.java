package com.redisproxy.resp.tracking;

import java.util.List;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * One client's CLIENT TRACKING, as the proxy does it for a client on the shared path: its mode,
 * the keys it reads (through its loop's {@link LoopTracking}), and how it is told they changed.
 * Used on the client's event loop only.
 */
public final class Tracker {
  private final LoopTracking loop;
  private final TrackingClient client;
  private TrackingRequest mode = TrackingRequest.OFF;
  private boolean redirectBroken;
  // Read anything since it was last told everything changed: the proxy hears of one FLUSHALL once
  // per tracking connection and per write it forwards, and Redis tells a client once.
  private boolean readSinceFlush;

  Tracker(LoopTracking loop, TrackingClient client) {
    this.loop = loop;
    this.client = client;
  }

  /** For a proxy that leaves tracking to Redis: never on. */
  public static Tracker disabled() {
    return new Tracker(null, null);
  }

  public boolean on() {
    return mode.on();
  }

  public TrackingRequest mode() {
    return mode;
  }

  /** A REDIRECT target was found gone when an invalidation was due (CLIENT TRACKINGINFO's broken_redirect). */
  public boolean redirectBroken() {
    return redirectBroken;
  }

  /** True where the proxy does tracking itself; else CLIENT TRACKING goes to Redis. */
  public boolean available() {
    return loop != null;
  }

  /** CLIENT TRACKING ON or OFF, already checked. Off forgets every key; on again keeps them, as in Redis. */
  public void turn(TrackingRequest next) {
    if (loop == null) throw new IllegalStateException("client tracking is Redis's here");
    redirectBroken = false;
    if (next.on() && !mode.on()) {
      loop.started(this);
      readSinceFlush = true;
    }
    if (!next.on() && mode.on()) loop.stopped(this);
    mode = next;
  }

  /** The client read {@code key} through the proxy (a hit, a miss or a read of another command). */
  public void read(ByteString key) {
    if (!mode.on()) return;
    readSinceFlush = true;
    loop.read(this, key);
  }

  /** The client's own write of {@code keys}: with NOLOOP it is not told of them, and forgets them, as in Redis. */
  public void wrote(List<ByteString> keys) {
    if (mode.on() && mode.noLoop()) loop.forget(this, keys);
  }

  /**
   * A read whose keys the proxy cannot follow (forwarded to Redis, not tracked there): the client
   * is told they changed right after the reply, so its cache never keeps them; empty keys: all of them.
   */
  public void readUnfollowed(Optional<List<ByteString>> keys) {
    if (!mode.on()) return;
    if (keys.isEmpty()) flush();
    else tell(keys);
  }

  /** Invalidations may have been missed (reads in a pinned session): the client drops everything. */
  public void flush() {
    if (!mode.on()) return;
    loop.forgetAll(this);
    readSinceFlush = false;
    tell(Optional.empty());
  }

  /** Everything changed (its loop forgot every key already): told unless it was told so and read nothing since. */
  void everythingChanged() {
    if (!readSinceFlush) return;
    readSinceFlush = false;
    tell(Optional.empty());
  }

  public void closed() {
    if (mode.on()) loop.stopped(this);
    mode = TrackingRequest.OFF;
  }

  long id() {
    return client.id();
  }

  /** These keys changed (empty: everything), after the replies owed now: Redis's message, to the client or its target. */
  void tell(Optional<List<ByteString>> keys) {
    long target = mode.redirect();
    if (target == 0) {
      ByteString message = InvalidationMessages.toTracker(client.resp3(), keys);
      if (!message.isEmpty()) client.afterReplies(() -> client.write(message));
      return;
    }
    client.afterReplies(() -> {
      if (loop.redirects().deliver(target, keys, client.resp3())) return;
      redirectBroken = true;
      if (client.resp3()) client.write(InvalidationMessages.redirectBroken(target, keys.map(List::size).orElse(1)));
    });
  }
}
