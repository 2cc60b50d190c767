package com.redisproxy.cache.settings;

import java.time.Duration;

/**
 * What the cache needs, read from {@code redis-proxy.cache}, {@code redis.fetch-timeout} and
 * {@code ask-timeout}.
 *
 * @param capacity keys held at most; 0 caches nothing
 * @param maxBytes what the cached keys, replies and their bookkeeping weigh at most (see
 *     com.redisproxy.cache.CacheEntries); the least recently read go first under whichever
 *     bound binds
 * @param expiry how long an entry lives after it was added
 * @param maxValueBytes larger values are answered but not cached
 * @param maxPendingRequests asks admitted and not yet answered, beyond which a request is refused
 * @param fetchTimeout a miss Redis has not answered by then is answered with a timeout
 * @param askTimeout how long a front end waits for the cache's answer
 * @param cachesAbsentKeys a key Redis does not hold is cached as absent: only with tracking, where
 *     Redis reports the key's creation; without it a later SET must be seen on the next GET
 * @param invalidationLease a value is served only while the tracking connections' lease is held
 *     (see {@link InvalidationInbox}); zero serves values whatever the lease (no tracking, or
 *     cache.serve-stale-without-lease)
 * @param rules the operator's policy by key pattern: not cached, or another expiry
 */
public record CacheSettings(
    int capacity,
    long maxBytes,
    Duration expiry,
    Duration sweepInterval,
    int maxValueBytes,
    int maxFetchesInFlight,
    int maxPendingRequests,
    Duration fetchTimeout,
    Duration askTimeout,
    boolean cachesAbsentKeys,
    Duration invalidationLease,
    KeyRules rules) {

  /** The defaults of reference.conf (a test keeps the two equal). */
  public static CacheSettings defaults() {
    return new CacheSettings(10_000, 64L << 20, Duration.ofSeconds(60), Duration.ofSeconds(1), 1_048_576, 10_000, 10_000,
        Duration.ofSeconds(2), Duration.ofSeconds(5), false, Duration.ZERO, KeyRules.NONE);
  }

  /** Room for every admitted request, for each fetch's reply and a late one's, plus timers. */
  public int mailboxCapacity() {
    return maxPendingRequests + 2 * maxFetchesInFlight + 16;
  }

  public CacheSettings withCapacity(int capacity) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withMaxBytes(long maxBytes) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withExpiry(Duration expiry) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withSweepInterval(Duration sweepInterval) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withMaxValueBytes(int maxValueBytes) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withMaxFetchesInFlight(int maxFetchesInFlight) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withMaxPendingRequests(int maxPendingRequests) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withFetchTimeout(Duration fetchTimeout) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withAskTimeout(Duration askTimeout) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withCachesAbsentKeys(boolean cachesAbsentKeys) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withInvalidationLease(Duration invalidationLease) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  public CacheSettings withRules(KeyRules rules) {
    return new CacheSettings(capacity, maxBytes, expiry, sweepInterval, maxValueBytes, maxFetchesInFlight, maxPendingRequests,
        fetchTimeout, askTimeout, cachesAbsentKeys, invalidationLease, rules);
  }

  /** These settings with what a reload may change taken from {@code reloaded}: capacity, byte budget, expiry, rules. */
  public CacheSettings reloadedFrom(CacheSettings reloaded) {
    return withCapacity(reloaded.capacity()).withMaxBytes(reloaded.maxBytes()).withExpiry(reloaded.expiry())
        .withRules(reloaded.rules());
  }
}
