package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;

import com.redisproxy.system.support.DeployedQueries;
import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every metric the Grafana dashboard and the alert rules query is in the real jar's /metrics: they cannot rot. */
class DashboardMetricsIT {

  @Test
  void everyMetricTheDashboardAndTheAlertsQueryIsExposed() {
    Set<String> queried = DeployedQueries.metricNames();
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      redis.set("k", "v");
      AtomicReference<Set<String>> missing = new AtomicReference<>(queried);
      // Some meters appear only once their event has happened (a GC pause): keep reading until they have.
      try {
        Eventually.await(Duration.ofSeconds(60), "every queried metric is in /metrics", () -> {
          proxy.get("k");
          missing.set(DeployedQueries.missingFrom(queried, body(proxy.request("GET", "/metrics"))));
          return missing.get().isEmpty();
        });
      } catch (AssertionError notAll) {
        throw new AssertionError("the dashboard or alerts query metrics the proxy does not expose: " + missing.get(), notAll);
      }
    }
  }
}
