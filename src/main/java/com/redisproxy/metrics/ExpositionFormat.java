package com.redisproxy.metrics;

import java.util.Locale;
import java.util.Optional;

/** The two text formats /metrics speaks, and which one a scraper's Accept header asks for. */
public enum ExpositionFormat {
  // the writers' own CONTENT_TYPE constants, which are not on Micrometer's compile classpath
  PROMETHEUS_TEXT("text/plain; version=0.0.4; charset=utf-8"),
  OPEN_METRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

  private final String contentType;

  ExpositionFormat(String contentType) {
    this.contentType = contentType;
  }

  /** The exact Content-Type of this format, e.g. {@code text/plain; version=0.0.4; charset=utf-8}. */
  public String contentType() {
    return contentType;
  }

  /**
   * OpenMetrics when {@code accept} lists it at least as high as plain text, else the 0.0.4 text
   * format, which every scraper reads (so also with no Accept header, or one naming neither).
   */
  public static ExpositionFormat accepted(Optional<String> accept) {
    double openMetrics = 0;
    double text = 0;
    for (String range : accept.orElse("").split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      double quality = quality(parts);
      if (type.equals("application/openmetrics-text")) openMetrics = Math.max(openMetrics, quality);
      else if (type.equals("text/plain") || type.equals("text/*") || type.equals("*/*")) text = Math.max(text, quality);
    }
    return openMetrics > 0 && openMetrics >= text ? OPEN_METRICS : PROMETHEUS_TEXT;
  }

  private static double quality(String[] parameters) {
    for (int i = 1; i < parameters.length; i++) {
      String[] pair = parameters[i].split("=", 2);
      if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("q")) {
        try {
          return Double.parseDouble(pair[1].trim());
        } catch (NumberFormatException e) {
          return 0; // a malformed weight: treat the range as not acceptable
        }
      }
    }
    return 1;
  }
}
