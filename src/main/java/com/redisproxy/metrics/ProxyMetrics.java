package com.redisproxy.metrics;

import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The proxy's metrics, in the Prometheus text format or OpenMetrics. Counters that front ends and
 * fetchers move are Micrometer meters (thread-safe); the cache's own figures are read from the
 * CacheActor's latest {@link CacheStats} snapshot, taken at each scrape, so no other thread
 * touches the actor's state.
 */
public final class ProxyMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<CacheStats> cache = new AtomicReference<>(CacheStats.NONE);

  public ProxyMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    cacheCounter("proxy.cache.hits", "reads answered from the cache", CacheStats::hits);
    cacheCounter("proxy.cache.misses", "reads that were not in the cache", CacheStats::misses);
    cacheCounter("proxy.cache.evictions", "keys evicted as least recently read", CacheStats::evictions);
    cacheCounter("proxy.cache.expirations", "keys removed at their expiry", CacheStats::expirations);
    cacheCounter("proxy.cache.coalesced.misses", "misses that joined a fetch already in flight", CacheStats::coalescedMisses);
    cacheCounter("proxy.cache.invalidation.messages", "invalidation messages received from Redis",
        CacheStats::invalidationMessages);
    cacheCounter("proxy.cache.invalidated.keys", "cached keys dropped because Redis reported a change",
        CacheStats::keysInvalidated);
    cacheCounter("proxy.cache.full.clears", "times the whole cache was dropped (FLUSHALL, lost tracking)",
        CacheStats::fullClears);
    cacheCounter("proxy.cache.restarts", "times the CacheActor restarted, empty, after an internal error",
        CacheStats::restarts);
    cacheGauge("proxy.cache.keys", "keys in the cache", CacheStats::size);
    cacheGauge("proxy.cache.capacity", "keys the cache holds at most", CacheStats::capacity);
    cacheGauge("proxy.cache.bytes", "what the cached keys and replies weigh, overhead included", CacheStats::bytes);
    cacheGauge("proxy.cache.max.bytes", "bytes the cache holds at most", CacheStats::maxBytes);
    cacheGauge("proxy.redis.fetches.in.flight", "backing GETs not answered yet", CacheStats::fetchesInFlight);
    // The share only: key names as labels would be unbounded in number, and data (see /hotkeys).
    cacheGauge("proxy.cache.hot.keys.read.share", "share of reads that went to the 10 keys read most (a lower bound)",
        CacheStats::hotKeysShare);
  }

  /** Counts the answers one front end gives to key reads, by outcome. */
  public ReadOutcomes readOutcomes(String frontEnd) {
    return new ReadOutcomes(registry, frontEnd);
  }

  /** Counts connections refused at the client limit, and shows those open. */
  public ConnectionMeters connections(String frontEnd, IntSupplier open) {
    Gauge.builder("proxy.connections.open", open, supplier -> supplier.getAsInt())
        .description("client connections open").tag("frontend", frontEnd)
        .strongReference(true) // the supplier is a method reference nothing else holds
        .register(registry);
    return new ConnectionMeters(registry, frontEnd);
  }

  /** Counts credentials one front end was given that did not match. */
  public AuthFailures authFailures(String frontEnd) {
    return new AuthFailures(registry, frontEnd);
  }

  /** 1 while the connection to the backing Redis is up, 0 while it is not: what an alert watches. */
  public void redisConnected(BooleanSupplier connected) {
    Gauge.builder("proxy.redis.connected", connected, supplier -> supplier.getAsBoolean() ? 1 : 0)
        .description("1 while the backing Redis is connected, else 0")
        .strongReference(true) // as above: nothing else holds the supplier
        .register(registry);
  }

  /** 1 while cached values may be served (with tracking: the invalidation lease is held), else 0. */
  public void invalidationLeaseHeld(BooleanSupplier held) {
    Gauge.builder("proxy.invalidation.lease.held", held, supplier -> supplier.getAsBoolean() ? 1 : 0)
        .description("1 while the tracking connections' invalidation lease is held (always 1 without one), else 0")
        .strongReference(true) // as above: nothing else holds the supplier
        .register(registry);
  }

  /**
   * 1 while Redis's users say the proxy's own login (REDIS_ADDRESS's user and password) would be
   * refused: its connections open now work, but any new one will not.
   */
  public void redisLoginRefused(BooleanSupplier refused) {
    Gauge.builder("proxy.redis.login.refused", refused, supplier -> supplier.getAsBoolean() ? 1 : 0)
        .description("1 while Redis's ACL says the proxy's own Redis user and password would be refused, else 0")
        .strongReference(true)
        .register(registry);
  }

  /** Latency of backing GETs, as a histogram. */
  public Timer fetchLatency() {
    return Timer.builder("proxy.redis.fetch.latency")
        .description("time from sending a GET to the backing Redis until its answer")
        .publishPercentileHistogram()
        .register(registry);
  }

  /** The text to serve at /metrics, with the cache's figures from {@code latest} (empty: the last ones). */
  public String scrape(Optional<CacheStats> latest, ExpositionFormat format) {
    latest.ifPresent(cache::set);
    // The registry picks its writer from a Content-Type or Accept value; given ours, it writes that format.
    return registry.scrape(format.contentType());
  }

  private void cacheCounter(String name, String description, ToDoubleFunction<CacheStats> value) {
    FunctionCounter.builder(name, cache, reference -> value.applyAsDouble(reference.get()))
        .description(description).register(registry);
  }

  private void cacheGauge(String name, String description, ToDoubleFunction<CacheStats> value) {
    Gauge.builder(name, cache, reference -> value.applyAsDouble(reference.get()))
        .description(description).register(registry);
  }

  /** Per-outcome counters of one front end. */
  public static final class ReadOutcomes {
    private final Counter hit;
    private final Counter miss;
    private final Counter notFound;
    private final Counter redisError;
    private final Counter redisUnavailable;
    private final Counter redisTimeout;
    private final Counter overloaded;

    private ReadOutcomes(PrometheusMeterRegistry registry, String frontEnd) {
      hit = counter(registry, frontEnd, "hit");
      miss = counter(registry, frontEnd, "miss");
      notFound = counter(registry, frontEnd, "not_found");
      redisError = counter(registry, frontEnd, "redis_error");
      redisUnavailable = counter(registry, frontEnd, "redis_unavailable");
      redisTimeout = counter(registry, frontEnd, "redis_timeout");
      overloaded = counter(registry, frontEnd, "overloaded");
    }

    private static Counter counter(
        PrometheusMeterRegistry registry, String frontEnd, String outcome) {
      return Counter.builder("proxy.requests")
          .description("key reads answered, by front end and outcome")
          .tag("frontend", frontEnd).tag("outcome", outcome).register(registry);
    }

    public void record(GetResult result) {
      if (result instanceof GetResult.Found found) {
        (found.fromCache() ? hit : miss).increment();
      } else if (result instanceof GetResult.Failed failed) {
        switch (failed.reason()) {
          case REDIS_ERROR, WRONG_TYPE -> redisError.increment();
          case REDIS_UNAVAILABLE -> redisUnavailable.increment();
          case REDIS_TIMEOUT -> redisTimeout.increment();
          case OVERLOADED -> overloaded.increment();
        }
      } else {
        notFound.increment();
      }
    }
  }

  /** Connections refused at the client limit, for one front end. */
  public static final class ConnectionMeters {
    private final Counter refused;

    private ConnectionMeters(PrometheusMeterRegistry registry, String frontEnd) {
      refused = Counter.builder("proxy.connections.refused")
          .description("connections refused at the client limit").tag("frontend", frontEnd).register(registry);
    }

    public void refused() {
      refused.increment();
    }
  }

  /** Wrong passwords (or users) given to one front end: a rising count is someone guessing. */
  public static final class AuthFailures {
    private final Counter failures;

    private AuthFailures(PrometheusMeterRegistry registry, String frontEnd) {
      failures = Counter.builder("proxy.auth.failures")
          .description("credentials given that did not match").tag("frontend", frontEnd).register(registry);
    }

    public void record() {
      failures.increment();
    }
  }
}
