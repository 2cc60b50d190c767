package com.redisproxy.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.util.ByteString;

/**
 * The original Flask implementation's answer, for its clients: with {@code Accept:
 * application/json}, {@code {"key": "...", "cached_value": "..."}}. JSON carries text, so a value
 * that is not UTF-8 has no such body ({@link ReadResponses} answers 406 and says how to read it).
 */
final class JsonMode {
  private JsonMode() {}

  static boolean isRequested(String accept) {
    return accept.contains("application/json");
  }

  /** The JSON body for a value; empty when the value is not UTF-8 text. */
  static Optional<HttpEntity.Strict> body(String key, ByteString value) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value.toArrayUnsafe()))
          .toString();
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
    String body = "{\"key\":" + JsonBodies.quote(key) + ",\"cached_value\":" + JsonBodies.quote(text) + "}";
    return Optional.of(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }
}
