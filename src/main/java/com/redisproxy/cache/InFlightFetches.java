package com.redisproxy.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The fetches the CacheActor has sent and not yet seen answered, in the order they were sent.
 * Every fetch has the same timeout, so the oldest is always the first due: one periodic check
 * finds every late one without a timer per fetch (a cancelled scheduler task stays in Pekko's
 * timer wheel until its time comes, so a timer per fetch holds memory in proportion to the miss
 * rate). Used by the actor's thread only.
 */
final class InFlightFetches {

  /** One fetch in flight and everyone waiting for it. */
  static final class Pending {
    final CacheKey key;
    final long requestId;
    final long sentAt;
    final List<Consumer<GetResult>> waiters = new ArrayList<>(2);
    // Redis reported the key changed while this fetch was in flight: its value may be the old one.
    boolean invalidated;

    private Pending(CacheKey key, long requestId, long sentAt) {
      this.key = key;
      this.requestId = requestId;
      this.sentAt = sentAt;
    }

    void answer(GetResult result) {
      for (Consumer<GetResult> waiter : waiters) waiter.accept(result);
    }
  }

  private final LinkedHashMap<CacheKey, Pending> byKey = new LinkedHashMap<>();
  private final LongSupplier requestIds;

  /** @param requestIds unique across the actor's restarts, so a late answer cannot match a new fetch */
  InFlightFetches(LongSupplier requestIds) {
    this.requestIds = requestIds;
  }

  Pending get(CacheKey key) {
    return byKey.get(key);
  }

  Pending start(CacheKey key, long now) {
    Pending pending = new Pending(key, requestIds.getAsLong(), now);
    byKey.put(key, pending);
    return pending;
  }

  /** The fetch {@code requestId} answers, taken out; null when it was answered already. */
  Pending take(CacheKey key, long requestId) {
    Pending pending = byKey.get(key);
    if (pending == null || pending.requestId != requestId) return null;
    byKey.remove(key);
    return pending;
  }

  /** Takes out every fetch sent at or before {@code sentBy}: oldest first, so it stops at the first younger one. */
  List<Pending> takeSentBy(long sentBy) {
    List<Pending> late = new ArrayList<>();
    for (Iterator<Pending> oldestFirst = byKey.values().iterator(); oldestFirst.hasNext(); ) {
      Pending pending = oldestFirst.next();
      if (pending.sentAt - sentBy > 0) break;
      late.add(pending);
      oldestFirst.remove();
    }
    return late;
  }

  Collection<Pending> all() {
    return byKey.values();
  }

  int size() {
    return byKey.size();
  }
}
