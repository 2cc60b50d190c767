package com.redisproxy.http;

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
