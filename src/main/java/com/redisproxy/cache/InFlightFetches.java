package com.redisproxy.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
    // The key as the store holds it; what the fetch is found by in flight is GET's key or a command's arguments.
    final CacheKey key;
    final Object read;
    final long requestId;
    final long sentAt;
    final List<Consumer<GetResult>> waiters = new ArrayList<>(2);
    // Redis reported the key changed while this fetch was in flight: its value may be the old one.
    boolean invalidated;

    private Pending(CacheKey key, Object read, long requestId, long sentAt) {
      this.key = key;
      this.read = read;
      this.requestId = requestId;
      this.sentAt = sentAt;
    }

    void answer(GetResult result) {
      for (Consumer<GetResult> waiter : waiters) waiter.accept(result);
    }
  }

  // GET's fetches by key, a command's by its arguments (ReadArgs), in the order they were sent.
  private final LinkedHashMap<Object, Pending> byRead = new LinkedHashMap<>();
  // The commands' fetches of each key, for an invalidation of the key to find them all.
  private final HashMap<CacheKey, List<Pending>> commandsByKey = new HashMap<>();
  private final LongSupplier requestIds;

  /** @param requestIds unique across the actor's restarts, so a late answer cannot match a new fetch */
  InFlightFetches(LongSupplier requestIds) {
    this.requestIds = requestIds;
  }

  /** GET's fetch of {@code key}, or null. */
  Pending get(CacheKey key) {
    return byRead.get(key);
  }

  /** The fetch of the command {@code args}, or null. */
  Pending get(ReadArgs args) {
    return byRead.get(args);
  }

  Pending start(CacheKey key, long now) {
    Pending pending = new Pending(key, key, requestIds.getAsLong(), now);
    byRead.put(key, pending);
    return pending;
  }

  Pending start(KeyCommand command, long now) {
    Pending pending = new Pending(command.plain(), command.args(), requestIds.getAsLong(), now);
    byRead.put(command.args(), pending);
    commandsByKey.computeIfAbsent(pending.key, key -> new ArrayList<>(2)).add(pending);
    return pending;
  }

  /** Every fetch of {@code key}: GET's and the commands'. */
  List<Pending> ofKey(CacheKey key) {
    Pending get = byRead.get(key);
    List<Pending> commands = commandsByKey.getOrDefault(key, List.of());
    if (get == null) return commands;
    List<Pending> all = new ArrayList<>(commands.size() + 1);
    all.add(get);
    all.addAll(commands);
    return all;
  }

  /** The fetch {@code requestId} of {@code read} (a key, or a command's arguments) answers, taken out; null when answered already. */
  Pending take(Object read, long requestId) {
    Pending pending = byRead.get(read);
    if (pending == null || pending.requestId != requestId) return null;
    byRead.remove(read);
    forgetCommand(pending);
    return pending;
  }

  private void forgetCommand(Pending pending) {
    if (pending.read == pending.key) return;
    List<Pending> ofKey = commandsByKey.get(pending.key);
    if (ofKey == null) return;
    ofKey.remove(pending);
    if (ofKey.isEmpty()) commandsByKey.remove(pending.key);
  }

  /** Takes out every fetch sent at or before {@code sentBy}: oldest first, so it stops at the first younger one. */
  List<Pending> takeSentBy(long sentBy) {
    List<Pending> late = new ArrayList<>();
    for (Iterator<Pending> oldestFirst = byRead.values().iterator(); oldestFirst.hasNext(); ) {
      Pending pending = oldestFirst.next();
      if (pending.sentAt - sentBy > 0) break;
      late.add(pending);
      oldestFirst.remove();
      forgetCommand(pending);
    }
    return late;
  }

  Collection<Pending> all() {
    return byRead.values();
  }

  int size() {
    return byRead.size();
  }
}
