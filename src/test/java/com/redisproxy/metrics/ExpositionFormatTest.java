package com.redisproxy.metrics;

import static com.redisproxy.metrics.ExpositionFormat.OPEN_METRICS;
import static com.redisproxy.metrics.ExpositionFormat.PROMETHEUS_TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExpositionFormatTest {

  private static ExpositionFormat forAccept(String accept) {
    return ExpositionFormat.accepted(Optional.of(accept));
  }

  @Test
  void prometheusOwnAcceptHeaderGetsOpenMetrics() {
    // what Prometheus 2.42 sends
    assertEquals(OPEN_METRICS, forAccept("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
        + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
  }

  @Test
  void noAcceptHeaderOrAnyTypeGetsTheTextFormat() {
    assertEquals(PROMETHEUS_TEXT, ExpositionFormat.accepted(Optional.empty()));
    assertEquals(PROMETHEUS_TEXT, forAccept("*/*"));
    assertEquals(PROMETHEUS_TEXT, forAccept("text/plain"));
  }

  @Test
  void weightsDecideWhenBothAreListed() {
    assertEquals(PROMETHEUS_TEXT, forAccept("application/openmetrics-text;q=0.3, text/plain;q=0.9"));
    assertEquals(OPEN_METRICS, forAccept("text/plain;q=0.2, Application/OpenMetrics-Text"));
    assertEquals(PROMETHEUS_TEXT, forAccept("application/openmetrics-text;q=0"));
  }

  @Test
  void contentTypesAreTheExactOnesTheFormatsName() {
    assertEquals("text/plain; version=0.0.4; charset=utf-8", PROMETHEUS_TEXT.contentType());
    assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", OPEN_METRICS.contentType());
  }
}
