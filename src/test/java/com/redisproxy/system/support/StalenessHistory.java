package com.redisproxy.system.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What a staleness checker saw: each key's history in Redis (its writes, each with the moment it
 * was acknowledged, and the moments Redis lost every key, a restart without persistence), and each
 * read with the moment it was sent and what it returned. A read is stale when what it returned had
 * been replaced in Redis (the next change acknowledged) before it was sent, and a violation when
 * that was longer ago than the bound. Each key has one writer, and no write is in flight while
 * Redis restarts; {@link #check} runs once every writer and reader has ended.
 */
public final class StalenessHistory {
  /** A read's answer when it failed (fail fast is allowed; a wrong value is not). */
  public static final String FAILED = "error";

  private record Read(int key, long sentAt, String value) {}

  /** A change of a key in Redis: written ({@code value}) or lost ({@code null}), acknowledged {@code at}. */
  private record Change(String value, long at) {}

  /** What the history shows. */
  public record Verdict(long reads, long failed, long stale, long longestStaleMillis, List<String> violations) {
    public String summary() {
      return reads + " reads (" + failed + " failed fast, " + stale + " returned a value already replaced, the longest "
          + longestStaleMillis + "ms after its replacement was acknowledged), " + violations.size() + " violations"
          + (violations.isEmpty() ? "" : ": " + violations.subList(0, Math.min(10, violations.size())));
    }
  }

  private final AtomicIntegerArray lastVersion;
  private final List<List<Change>> changes = new ArrayList<>();
  private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();

  public StalenessHistory(int keys) {
    lastVersion = new AtomicIntegerArray(keys);
    for (int key = 0; key < keys; key++) {
      lastVersion.set(key, -1);
      changes.add(new ArrayList<>());
    }
  }

  public static String keyName(int key) {
    return "checked:" + key;
  }

  public static String value(int key, int version) {
    return key + ":" + version;
  }

  /** The version the key's writer writes next: 0, 1, 2 ... */
  public int nextVersion(int key) {
    return lastVersion.incrementAndGet(key);
  }

  public void acknowledged(int key, int version, long at) {
    add(key, new Change(value(key, version), at));
  }

  /** Redis lost every key (stopped without persistence) by {@code at}. */
  public void everyKeyLost(long at) {
    for (int key = 0; key < changes.size(); key++) add(key, new Change(null, at));
  }

  /** @param value what the read returned: a value, null for absent, or {@link #FAILED} */
  public void read(int key, long sentAt, String value) {
    reads.add(new Read(key, sentAt, value));
  }

  public Verdict check(Duration bound) {
    long failed = 0;
    long stale = 0;
    long longest = 0;
    List<String> violations = new ArrayList<>();
    for (Read read : reads) {
      if (FAILED.equals(read.value())) {
        failed++;
        continue;
      }
      if (read.value() != null && !read.value().startsWith(read.key() + ":")) {
        violations.add("key " + read.key() + " read as " + read.value());
        continue;
      }
      List<Change> history = changes.get(read.key());
      synchronized (history) {
        int replacedBy = replacement(history, read.value());
        if (replacedBy >= history.size()) continue; // the latest acknowledged, or not acknowledged yet
        long staleFor = read.sentAt() - history.get(replacedBy).at();
        if (staleFor <= 0) continue;
        stale++;
        longest = Math.max(longest, staleFor);
        if (staleFor > bound.toNanos()) {
          violations.add("key " + read.key() + " read as " + read.value() + " " + staleFor / 1_000_000
              + "ms after it was replaced by " + history.get(replacedBy).value());
        }
      }
    }
    return new Verdict(reads.size(), failed, stale, longest / 1_000_000, violations);
  }

  // The index of the change that replaced what the read returned: the one after the latest change
  // to that value (absent before the first write); past the end if nothing replaced it, or if
  // Redis never acknowledged it (a write in flight).
  private static int replacement(List<Change> history, String value) {
    for (int i = history.size() - 1; i >= 0; i--) {
      if (Objects.equals(history.get(i).value(), value)) return i + 1;
    }
    return value == null ? 0 : history.size();
  }

  private void add(int key, Change change) {
    List<Change> history = changes.get(key);
    synchronized (history) {
      history.add(change);
    }
  }
}
