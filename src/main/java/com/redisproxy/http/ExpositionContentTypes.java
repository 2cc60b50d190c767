package com.redisproxy.http;

import com.redisproxy.metrics.ExpositionFormat;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.MediaTypes;

/** pekko-http Content-Types that render on the wire exactly as each exposition format names itself. */
final class ExpositionContentTypes {
  private static final ContentType.NonBinary PROMETHEUS_TEXT = withVersion("text", "plain", "0.0.4");
  private static final ContentType.NonBinary OPEN_METRICS = withVersion("application", "openmetrics-text", "1.0.0");

  private ExpositionContentTypes() {}

  static ContentType.NonBinary of(ExpositionFormat format) {
    return switch (format) {
      case PROMETHEUS_TEXT -> PROMETHEUS_TEXT;
      case OPEN_METRICS -> OPEN_METRICS;
    };
  }

  // A custom charset: pekko's own UTF_8 renders as "UTF-8", the formats write "utf-8".
  private static ContentType.NonBinary withVersion(String mainType, String subType, String version) {
    return ContentTypes.create(
        MediaTypes.customWithOpenCharset(mainType, subType, Map.of("version", version), false),
        HttpCharsets.custom("utf-8"));
  }
}
