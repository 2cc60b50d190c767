package com.redisproxy.system.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What a staleness checker saw: each key's versions with the moment each write was acknowledged,
 * and each read with the moment it was sent and what it returned. A read is stale when the version
 * it returned had been replaced (the next version acknowledged) before it was sent, and a violation
 * when that was longer ago than the bound. Each key has one writer; {@link #check} runs once every
 * writer and reader has ended.
 */
public final class StalenessHistory {
  /** A read's answer when it failed (fail fast is allowed; a wrong value is not). */
  public static final String FAILED = "error";

  private record Read(int key, long sentAt, String value) {}

  /** What the history shows. */
  public record Verdict(long reads, long failed, long stale, long longestStaleMillis, List<String> violations) {
    public String summary() {
      return reads + " reads (" + failed + " failed fast, " + stale + " returned a value already replaced, the longest "
          + longestStaleMillis + "ms after its replacement was acknowledged), " + violations.size() + " violations"
          + (violations.isEmpty() ? "" : ": " + violations.subList(0, Math.min(10, violations.size())));
    }
  }

  private final AtomicIntegerArray lastVersion;
  private final List<List<Long>> acknowledgedAt = new ArrayList<>();
  private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();

  public StalenessHistory(int keys) {
    lastVersion = new AtomicIntegerArray(keys);
    for (int key = 0; key < keys; key++) {
      lastVersion.set(key, -1);
      acknowledgedAt.add(new ArrayList<>());
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
    List<Long> versions = acknowledgedAt.get(key);
    synchronized (versions) {
      if (versions.size() != version) throw new IllegalStateException("versions of key " + key + " out of order");
      versions.add(at);
    }
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
      int version = read.value() == null ? -1 : versionIn(read);
      if (version == Integer.MIN_VALUE) {
        violations.add("key " + read.key() + " read as " + read.value());
        continue;
      }
      List<Long> versions = acknowledgedAt.get(read.key());
      synchronized (versions) {
        if (version + 1 >= versions.size()) continue; // the latest acknowledged, or newer
        long staleFor = read.sentAt() - versions.get(version + 1);
        if (staleFor <= 0) continue;
        stale++;
        longest = Math.max(longest, staleFor);
        if (staleFor > bound.toNanos()) {
          violations.add("key " + read.key() + " read as version " + version + " " + staleFor / 1_000_000
              + "ms after version " + (version + 1) + " was acknowledged");
        }
      }
    }
    return new Verdict(reads.size(), failed, stale, longest / 1_000_000, violations);
  }

  // The version of a value "key:version" of this read's key; MIN_VALUE for anything else.
  private static int versionIn(Read read) {
    String prefix = read.key() + ":";
    if (!read.value().startsWith(prefix)) return Integer.MIN_VALUE;
    try {
      return Integer.parseInt(read.value().substring(prefix.length()));
    } catch (NumberFormatException e) {
      return Integer.MIN_VALUE;
    }
  }
}
