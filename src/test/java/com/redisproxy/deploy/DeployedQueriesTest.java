package com.redisproxy.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.DeployedQueries;
import java.nio.file.Files;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The metric names read out of the dashboard and the alert rules are the ones their PromQL queries. */
class DeployedQueriesTest {

  @Test
  void metricNamesLeaveOutFunctionsKeywordsLabelsStringsAndGrafanaVariables() {
    String expression = "histogram_quantile(0.99, sum by (le) (rate(x_bucket{a=\"b c\", instance=~\"$instance\"}"
        + "[$__rate_interval]))) / ignoring(le) y_total and on (instance) z > 1e3 or vector(0)";
    assertEquals(Set.of("x_bucket", "y_total", "z"), DeployedQueries.metricNames(expression));
  }

  @Test
  void aNameTheMetricsDoNotCarryIsReportedMissing() {
    String metrics = "# TYPE a_total counter\na_total{frontend=\"http\"} 1.0\nb 2\n";
    assertEquals(Set.of("c"), DeployedQueries.missingFrom(Set.of("a_total", "b", "c", "up"), metrics));
  }

  @Test
  void everyDashboardPanelHasAQueryAndTheyReadTheProxysMetrics() throws Exception {
    long panels = Pattern.compile("\"gridPos\"").matcher(Files.readString(DeployedQueries.DASHBOARD)).results().count();
    assertTrue(panels >= 10, "panels: " + panels);
    assertTrue(DeployedQueries.dashboardExpressions().size() >= panels, DeployedQueries.dashboardExpressions().toString());
    assertTrue(DeployedQueries.metricNames().containsAll(Set.of("proxy_requests_total", "proxy_cache_hits_total",
        "proxy_redis_fetch_latency_seconds_bucket", "jvm_gc_pause_seconds_sum", "proxy_cache_keys", "up")),
        DeployedQueries.metricNames().toString());
  }

  @Test
  void foldedAlertExpressionsAreReadWhole() {
    assertTrue(DeployedQueries.alertExpressions().stream()
            .anyMatch(expression -> expression.startsWith("sum by (instance) (rate(proxy_cache_hits_total[5m]))")
                && expression.endsWith("> 1")),
        DeployedQueries.alertExpressions().toString());
    assertEquals(4, DeployedQueries.alertExpressions().size(), DeployedQueries.alertExpressions().toString());
  }
}
