package com.redisproxy.resp.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.redisproxy.resp.command.RedisLogin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class LoginBackendsTest {
  private static final RedisLogin PROXY = RedisLogin.of(Optional.of(ByteString.fromString("proxy")), ByteString.fromString("p"));
  private static final RedisLogin ALICE = RedisLogin.of(Optional.of(ByteString.fromString("alice")), ByteString.fromString("a"));

  private final List<Optional<RedisLogin>> opened = new ArrayList<>();
  // No loop is needed: a shared backend opens its link on its first forward only, which these tests never make.
  private final LoginBackends backends = new LoginBackends(null, PROXY, (loop, login, resp3) -> {
    opened.add(login);
    return new SharedBackend(null, null, Duration.ZERO, Duration.ofSeconds(1), resp3, login);
  });

  @Test
  void clientsLoggedInAsOneUserShareItsConnectionAndTheProxysOwnNeedsNoLogin() {
    backends.join(ALICE);
    backends.join(ALICE);
    assertSame(backends.of(ALICE, false), backends.of(ALICE, false));
    assertSame(backends.of(PROXY, false), backends.of(RedisLogin.of(Optional.of(ByteString.fromString("proxy")),
        ByteString.fromString("p")), false));
    assertNotSame(backends.of(ALICE, false), backends.of(PROXY, false));
    assertEquals(List.of(Optional.empty(), Optional.of(ALICE)), opened);
  }

  @Test
  void theLastClientToLeaveAUserClosesItsConnectionsAndTheNextOpensAgain() {
    backends.join(ALICE);
    backends.join(ALICE);
    SharedBackend first = backends.of(ALICE, false);
    backends.leave(ALICE);
    assertEquals(1, backends.otherLogins());
    assertEquals(0, backends.closings());
    backends.leave(ALICE);
    assertEquals(0, backends.otherLogins());
    assertEquals(1, backends.closings());
    backends.join(ALICE);
    assertNotSame(first, backends.of(ALICE, false));
  }

  @Test
  void aResp3ConnectionOpensOnlyWhenARESP3ClientAsksForIt() {
    backends.join(ALICE);
    backends.of(ALICE, false);
    assertEquals(2, opened.size());
    backends.of(ALICE, true);
    assertEquals(3, opened.size());
  }

  @Test
  void aRefusedLoginNoClientActsAsClosesItsConnection() {
    RedisLogin wrong = RedisLogin.of(Optional.of(ByteString.fromString("alice")), ByteString.fromString("wrong"));
    backends.of(wrong, false); // the AUTH goes on the connection of the login it names
    assertEquals(1, backends.otherLogins());
    backends.refused(wrong);
    assertEquals(0, backends.otherLogins());
    assertEquals(1, backends.closings());
  }

  @Test
  void aRefusedLoginAClientActsAsKeepsItsConnection() {
    backends.join(ALICE);
    SharedBackend connection = backends.of(ALICE, false);
    backends.refused(ALICE); // another client's AUTH as alice, refused since (her password changed)
    assertSame(connection, backends.of(ALICE, false));
    assertEquals(0, backends.closings());
    backends.refused(PROXY);
    assertEquals(List.of(Optional.empty(), Optional.of(ALICE)), opened);
  }
}
