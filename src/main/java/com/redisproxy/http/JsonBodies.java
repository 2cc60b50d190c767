package com.redisproxy.http;

import com.redisproxy.cache.store.HotKeys;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;

/** The small JSON bodies the proxy answers with; no JSON library needed for them. */
final class JsonBodies {
  private JsonBodies() {}

  static HttpEntity.Strict error(String error, String message) {
    return HttpEntities.create(
        ContentTypes.APPLICATION_JSON,
        "{\"error\":" + quote(error) + ",\"message\":" + quote(message) + "}");
  }

  static HttpEntity.Strict status(String status) {
    return HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":" + quote(status) + "}");
  }

  /**
   * The keys read most: each as UTF-8 text (bytes that are not UTF-8 become U+FFFD) and, exact,
   * in base64; their estimated reads and how many of those may be over; and their share of reads.
   */
  static HttpEntity.Strict hotKeys(List<HotKeys.HotKey> keys, double share) {
    StringBuilder json = new StringBuilder("{\"top_keys_read_share\":")
        .append(String.format(Locale.ROOT, "%.4f", share)).append(",\"keys\":[");
    for (int i = 0; i < keys.size(); i++) {
      HotKeys.HotKey hot = keys.get(i);
      if (i > 0) json.append(',');
      json.append("{\"key\":").append(quote(new String(hot.key(), StandardCharsets.UTF_8)))
          .append(",\"key_base64\":").append(quote(Base64.getEncoder().encodeToString(hot.key())))
          .append(",\"reads\":").append(hot.reads())
          .append(",\"max_overcount\":").append(hot.maxOvercount()).append('}');
    }
    return HttpEntities.create(ContentTypes.APPLICATION_JSON, json.append("]}").toString());
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }
}
