package com.redisproxy.http;

import com.redisproxy.cache.GetResult;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The original Flask implementation's answer, for its clients: with {@code Accept:
 * application/json}, {@code {"key": "...", "cached_value": "..."}}. JSON carries text, so a value
 * that is not UTF-8 gets a 406 that says how to read it instead.
 */
final class JsonMode {
  private JsonMode() {}

  static boolean isRequested(String accept) {
    return accept.contains("application/json");
  }

  static HttpResponse response(String key, GetResult result) {
    if (!(result instanceof GetResult.Found found)) return ProxyRoutes.toResponse(result);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(found.value().toArrayUnsafe()))
          .toString();
    } catch (CharacterCodingException e) {
      return ProxyRoutes.error(StatusCodes.NOT_ACCEPTABLE, "not_acceptable",
          "the value is binary, not UTF-8 text; request it without Accept: application/json for its raw bytes");
    }
    String body = "{\"key\":" + JsonBodies.quote(key) + ",\"cached_value\":" + JsonBodies.quote(text) + "}";
    return HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body))
        .addHeader(ProxyRoutes.xCache(found));
  }
}
