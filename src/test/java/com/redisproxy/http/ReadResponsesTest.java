package com.redisproxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.redisproxy.cache.GetResult;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** Each read result's status, headers and body, raw and in JSON mode. */
class ReadResponsesTest {

  private static String body(HttpResponse response) {
    return ((HttpEntity.Strict) response.entity()).getData().utf8String();
  }

  private static String header(HttpResponse response, String name) {
    return response.getHeader(name).orElseThrow().value();
  }

  @Test
  void aValueIsAnsweredAsItsBytesWithXCacheTellingAHitFromAMiss() {
    HttpResponse hit = ReadResponses.of("k", new GetResult.Found(ByteString.fromString("v"), true), false);
    assertEquals(200, hit.status().intValue());
    assertEquals("HIT", header(hit, "X-Cache"));
    assertEquals(ContentTypes.APPLICATION_OCTET_STREAM, hit.entity().getContentType());
    assertEquals("v", body(hit));
    assertEquals("MISS", header(ReadResponses.of("k", new GetResult.Found(ByteString.fromString("v"), false), false), "X-Cache"));
  }

  @Test
  void inJsonModeAValueIsAnsweredAsFlaskDidAndABinaryOneIsNotAcceptable() {
    HttpResponse text = ReadResponses.of("k\"1", new GetResult.Found(ByteString.fromString("v"), false), true);
    assertEquals(200, text.status().intValue());
    assertEquals("MISS", header(text, "X-Cache"));
    assertEquals(ContentTypes.APPLICATION_JSON, text.entity().getContentType());
    assertEquals("{\"key\":\"k\\\"1\",\"cached_value\":\"v\"}", body(text));

    HttpResponse binary = ReadResponses.of("k", new GetResult.Found(ByteString.fromArray(new byte[] {(byte) 0xff}), true), true);
    assertEquals(406, binary.status().intValue());
    assertFalse(binary.getHeader("X-Cache").isPresent());
    assertEquals("{\"error\":\"not_acceptable\",\"message\":\"the value is binary, not UTF-8 text; request it without "
        + "Accept: application/json for its raw bytes\"}", body(binary));
  }

  @Test
  void anAbsentKeyIsNotFoundInEitherMode() {
    for (boolean json : new boolean[] {false, true}) {
      HttpResponse response = ReadResponses.of("k", GetResult.NotFound.INSTANCE, json);
      assertEquals(404, response.status().intValue());
      assertEquals("{\"error\":\"not_found\",\"message\":\"no such key in Redis\"}", body(response));
    }
  }

  @Test
  void eachFailureHasItsStatusAndOnlyOverloadAsksForARetry() {
    assertFailure(GetResult.Reason.REDIS_UNAVAILABLE, 502, "redis_unavailable");
    assertFailure(GetResult.Reason.REDIS_ERROR, 502, "redis_error");
    assertFailure(GetResult.Reason.WRONG_TYPE, 502, "redis_error"); // Redis's WRONGTYPE, as any error of Redis's
    assertFailure(GetResult.Reason.REDIS_TIMEOUT, 504, "redis_timeout");
    assertFailure(GetResult.Reason.OVERLOADED, 503, "overloaded");
  }

  private static void assertFailure(GetResult.Reason reason, int status, String error) {
    for (boolean json : new boolean[] {false, true}) {
      HttpResponse response = ReadResponses.of("k", new GetResult.Failed(reason, "why"), json);
      assertEquals(status, response.status().intValue(), reason.name());
      assertEquals("{\"error\":\"" + error + "\",\"message\":\"why\"}", body(response), reason.name());
      assertEquals(reason == GetResult.Reason.OVERLOADED, response.getHeader("Retry-After").isPresent(), reason.name());
      assertFalse(response.getHeader("X-Cache").isPresent(), reason.name());
    }
  }
}
