package com.redisproxy.resp.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.resp.codec.RespRequest;
import java.util.Arrays;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class TrackingRequestTest {
  private static RespRequest request(String... words) {
    return new RespRequest(Arrays.stream(words).map(ByteString::fromString).toList());
  }

  private static TrackingRequest.Parsed parse(String... words) {
    return TrackingRequest.parse(request(words), id -> id == 7);
  }

  @Test
  void readsOnAndOffWithRedirectAndNoloopInAnyOrderAndCase() {
    assertEquals(Optional.of(new TrackingRequest(true, false, 0)), parse("CLIENT", "TRACKING", "on").request());
    assertEquals(Optional.of(new TrackingRequest(true, true, 7)),
        parse("client", "tracking", "ON", "noloop", "REDIRECT", "7").request());
    assertEquals(Optional.of(TrackingRequest.OFF), parse("CLIENT", "TRACKING", "OFF", "NOLOOP").request());
  }

  @Test
  void refusesAsRedisDoesInRedissWords() {
    assertEquals(Optional.of("ERR syntax error"), parse("CLIENT", "TRACKING", "maybe").error());
    assertEquals(Optional.of("ERR syntax error"), parse("CLIENT", "TRACKING", "ON", "FOO").error());
    assertEquals(Optional.of("ERR syntax error"), parse("CLIENT", "TRACKING", "ON", "REDIRECT").error());
    assertEquals(Optional.of("ERR value is not an integer or out of range"),
        parse("CLIENT", "TRACKING", "ON", "REDIRECT", "x").error());
    assertEquals(Optional.of("ERR The client ID you want redirect to does not exist"),
        parse("CLIENT", "TRACKING", "ON", "REDIRECT", "8").error());
    assertEquals(Optional.of("ERR A client can only redirect to a single other client"),
        parse("CLIENT", "TRACKING", "ON", "REDIRECT", "7", "REDIRECT", "7").error());
    // Options are checked before ON or OFF, as Redis checks them.
    assertEquals(Optional.of("ERR syntax error"), parse("CLIENT", "TRACKING", "OFF", "FOO").error());
  }

  @Test
  void theProxyAnswersRedissDefaultModeAndLeavesTheOthersToRedis() {
    assertTrue(TrackingRequest.proxyAnswers(request("CLIENT", "TRACKING", "ON", "NOLOOP", "REDIRECT", "7")));
    assertTrue(TrackingRequest.proxyAnswers(request("CLIENT", "TRACKING", "OFF")));
    assertTrue(TrackingRequest.proxyAnswers(request("CLIENT", "TRACKING", "ON", "REDIRECT", "bcast"))); // an id, not a mode
    assertFalse(TrackingRequest.proxyAnswers(request("CLIENT", "TRACKING", "ON", "BCAST")));
    assertFalse(TrackingRequest.proxyAnswers(request("CLIENT", "TRACKING", "ON", "PREFIX", "user:")));
    assertFalse(TrackingRequest.proxyAnswers(request("CLIENT", "TRACKING", "on", "optin")));
    assertFalse(TrackingRequest.proxyAnswers(request("CLIENT", "TRACKING", "ON", "OPTOUT")));
    assertFalse(TrackingRequest.proxyAnswers(request("CLIENT", "TRACKING")));
  }
}
