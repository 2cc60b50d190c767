package com.redisproxy.resp.tracking;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * Which keys each tracking client read, and who read each key: Redis's default tracking mode, for
 * the clients of one event loop. Pure and single-threaded. A key is forgotten for a client once
 * the client is told it changed, until it reads it again, as Redis does. Each client tracks at most
 * {@code maxKeysPerClient} keys: a read past that makes room by forgetting the client's oldest
 * read, which the caller tells it is invalid (Redis's own way past tracking-table-max-keys).
 */
final class TrackedKeys {
  private final int maxKeysPerClient;
  private final Map<ByteString, Set<Long>> readers = new HashMap<>();
  // Insertion-ordered: the oldest read goes first when a client is over its bound.
  private final Map<Long, LinkedHashSet<ByteString>> readBy = new HashMap<>();

  TrackedKeys(int maxKeysPerClient) {
    if (maxKeysPerClient < 1) throw new IllegalArgumentException("maxKeysPerClient must be at least 1");
    this.maxKeysPerClient = maxKeysPerClient;
  }

  /** {@code client} read {@code key}; the key it no longer tracks to make room, if any (to be invalidated for it). */
  Optional<ByteString> read(long client, ByteString key) {
    LinkedHashSet<ByteString> keys = readBy.computeIfAbsent(client, id -> new LinkedHashSet<>());
    if (!keys.add(key)) return Optional.empty();
    readers.computeIfAbsent(key, k -> new HashSet<>(2)).add(client);
    if (keys.size() <= maxKeysPerClient) return Optional.empty();
    Iterator<ByteString> oldest = keys.iterator();
    ByteString evicted = oldest.next();
    oldest.remove();
    dropReader(evicted, client);
    return Optional.of(evicted);
  }

  /** {@code key} changed: the clients that read it, each of which forgets it. */
  List<Long> changed(ByteString key) {
    Set<Long> clients = readers.remove(key);
    if (clients == null) return List.of();
    for (long client : clients) {
      Set<ByteString> keys = readBy.get(client);
      keys.remove(key);
      if (keys.isEmpty()) readBy.remove(client);
    }
    return new ArrayList<>(clients);
  }

  /** {@code client} forgets {@code key} without being told (its own write, with NOLOOP). */
  void forget(long client, ByteString key) {
    Set<ByteString> keys = readBy.get(client);
    if (keys == null || !keys.remove(key)) return;
    if (keys.isEmpty()) readBy.remove(client);
    dropReader(key, client);
  }

  /** {@code client} forgets every key (tracking off, a flush, or the client gone). */
  void forgetAll(long client) {
    Set<ByteString> keys = readBy.remove(client);
    if (keys == null) return;
    for (ByteString key : keys) dropReader(key, client);
  }

  /** Every client forgets every key: Redis flushed, or invalidations may have been lost. */
  void clear() {
    readers.clear();
    readBy.clear();
  }

  int keysOf(long client) {
    Set<ByteString> keys = readBy.get(client);
    return keys == null ? 0 : keys.size();
  }

  boolean tracks(long client, ByteString key) {
    Set<ByteString> keys = readBy.get(client);
    return keys != null && keys.contains(key);
  }

  /** Keys tracked for anyone: the table's size. */
  int keys() {
    return readers.size();
  }

  private void dropReader(ByteString key, long client) {
    Set<Long> clients = readers.get(key);
    if (clients == null) return;
    clients.remove(client);
    if (clients.isEmpty()) readers.remove(key);
  }
}
