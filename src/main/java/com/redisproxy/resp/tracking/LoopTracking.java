package com.redisproxy.resp.tracking;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;

/**
 * The tracking clients of one event loop and the keys they read ({@link TrackedKeys}), owned by
 * the loop's thread. The CacheActor's changes reach it through a bounded inbox drained on the loop
 * (at most one task in flight; past {@code maxQueuedKeys} it collapses into "everything
 * changed"), always after the actor has applied them to the cache: a read registered here before
 * the change is told of it, and one registered after it is served what the cache holds after it.
 */
public final class LoopTracking {
  private final EventLoop loop;
  private final Redirects redirects;
  private final TrackedKeys keys;
  private final int maxQueuedKeys;
  private final Map<Long, Tracker> trackers = new HashMap<>();
  // Read by the CacheActor's thread: a loop with no tracking client is not disturbed.
  private final AtomicInteger tracking = new AtomicInteger();
  private final ConcurrentLinkedQueue<List<ByteString>> changed = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedKeys = new AtomicInteger();
  private final AtomicBoolean everything = new AtomicBoolean();
  private final AtomicBoolean signalled = new AtomicBoolean();

  LoopTracking(EventLoop loop, Redirects redirects, int maxKeysPerClient, int maxQueuedKeys) {
    this.loop = loop;
    this.redirects = redirects;
    this.keys = new TrackedKeys(maxKeysPerClient);
    this.maxQueuedKeys = maxQueuedKeys;
  }

  /** The tracking of the client {@code client}, off until it says CLIENT TRACKING ON. */
  public Tracker trackerFor(TrackingClient client) {
    return new Tracker(this, client);
  }

  Redirects redirects() {
    return redirects;
  }

  // --- on the loop

  void started(Tracker tracker) {
    trackers.put(tracker.id(), tracker);
    tracking.incrementAndGet();
  }

  void stopped(Tracker tracker) {
    if (trackers.remove(tracker.id()) == null) return;
    tracking.decrementAndGet();
    keys.forgetAll(tracker.id());
  }

  void read(Tracker tracker, ByteString key) {
    keys.read(tracker.id(), key).ifPresent(evicted -> tracker.tell(Optional.of(List.of(evicted))));
  }

  void forget(Tracker tracker, List<ByteString> written) {
    for (ByteString key : written) keys.forget(tracker.id(), key);
  }

  void forgetAll(Tracker tracker) {
    keys.forgetAll(tracker.id());
  }

  // --- from the CacheActor's thread

  /** True while a client of this loop tracks keys: only then is it told of changes. */
  boolean anyTracking() {
    return tracking.get() > 0;
  }

  void offer(List<ByteString> keys) {
    if (queuedKeys.addAndGet(keys.size()) > maxQueuedKeys) {
      queuedKeys.addAndGet(-keys.size());
      everything.set(true);
    } else {
      changed.add(keys);
    }
    signal();
  }

  void offerEverything() {
    everything.set(true);
    signal();
  }

  private void signal() {
    if (signalled.compareAndSet(false, true)) loop.execute(this::drain);
  }

  // One message per client with all its keys that changed, in the order they changed.
  private void drain() {
    signalled.set(false);
    boolean all = everything.getAndSet(false);
    List<List<ByteString>> taken = new ArrayList<>();
    List<ByteString> batch;
    while ((batch = changed.poll()) != null) {
      taken.add(batch);
      queuedKeys.addAndGet(-batch.size());
    }
    if (all) {
      keys.clear();
      for (Tracker tracker : List.copyOf(trackers.values())) tracker.everythingChanged();
      return;
    }
    Map<Long, List<ByteString>> told = new LinkedHashMap<>();
    for (List<ByteString> some : taken) {
      for (ByteString key : some) {
        for (long client : keys.changed(key)) told.computeIfAbsent(client, id -> new ArrayList<>()).add(key);
      }
    }
    told.forEach((client, changedKeys) -> {
      Tracker tracker = trackers.get(client);
      if (tracker != null) tracker.tell(Optional.of(changedKeys));
    });
  }
}
