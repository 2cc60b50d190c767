package com.redisproxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/** A header found by its lower-case name, however the client spelled it, as pekko-http's getHeader finds it. */
class RequestHeadersTest {

  @Test
  void findsTheFirstHeaderOfThatNameInAnyCase() {
    HttpRequest request = HttpRequest.GET("/proxy?key=k").withHeaders(List.of(RawHeader.create("X-Other", "1"),
        RawHeader.create("aCCEPT", "application/json"), RawHeader.create("Accept", "text/plain")));
    assertEquals(Optional.of("application/json"), RequestHeaders.value(request, "accept"));
    assertEquals(request.getHeader("Accept").map(header -> header.value()), RequestHeaders.value(request, "accept"));
  }

  @Test
  void isEmptyWithoutThatHeader() {
    assertEquals(Optional.empty(), RequestHeaders.value(HttpRequest.GET("/").addHeader(RawHeader.create("Accepts", "x")),
        "accept"));
  }
}
