package com.redisproxy.resp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.resp.codec.RespRequest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class HelloRequestTest {

  @Test
  void readsVersionNameAndCredentialsAndKeepsOnlyVersionAndNameForRedis() {
    HelloRequest hello = HelloRequest.parse(request("HELLO", "3", "AUTH", "alice", "secret", "SETNAME", "app"));
    assertEquals(Optional.of(3), hello.version());
    assertEquals(Optional.of(ByteString.fromString("app")), hello.name());
    assertEquals(Optional.of(new HelloRequest.Credentials(ByteString.fromString("alice"), ByteString.fromString("secret"))),
        hello.credentials());
    assertEquals(request("HELLO", "3", "SETNAME", "app").args(), hello.withoutCredentials());
    assertTrue(hello.error().isEmpty());
  }

  @Test
  void aNameSpelledAuthIsANameNotCredentials() {
    HelloRequest hello = HelloRequest.parse(request("HELLO", "3", "SETNAME", "auth", "user", "pass"));
    assertTrue(hello.credentials().isEmpty());
    assertEquals(Optional.of("ERR Syntax error in HELLO option 'USER'"), hello.error());
  }

  @Test
  void withoutAVersionKeepsTheProtocol() {
    HelloRequest hello = HelloRequest.parse(request("HELLO"));
    assertEquals(Optional.empty(), hello.version());
    assertEquals(request("HELLO").args(), hello.withoutCredentials());
  }

  @Test
  void refusesVersionsRedisRefusesInRedisWords() {
    assertEquals(Optional.of("NOPROTO unsupported protocol version"), HelloRequest.parse(request("HELLO", "4")).error());
    assertEquals(Optional.of("ERR Protocol version is not an integer or out of range"),
        HelloRequest.parse(request("HELLO", "three")).error());
    assertEquals(Optional.of("ERR Syntax error in HELLO option 'AUTH'"),
        HelloRequest.parse(request("HELLO", "3", "AUTH", "onlyuser")).error());
  }

  @Test
  void aHelloThatDoesNotParseLosesItsCredentialsAllTheSame() {
    assertEquals(request("HELLO", "4", "BADOPT").args(),
        HelloRequest.withEveryAuthRemoved(request("HELLO", "4", "AUTH", "user", "secret", "BADOPT")));
    assertEquals(request("HELLO", "3").args(), HelloRequest.withEveryAuthRemoved(request("HELLO", "3", "AUTH", "onlyuser")));
  }

  private static RespRequest request(String... args) {
    List<ByteString> bytes = Arrays.stream(args).map(ByteString::fromString).toList();
    return new RespRequest(bytes);
  }
}
