package com.redisproxy.resp.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.redisproxy.resp.command.RedisLogin;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class ChosenBackendTest {
  private static final RedisLogin PROXY = RedisLogin.of(Optional.of(ByteString.fromString("proxy")), ByteString.fromString("p"));

  private static RedisLogin alice() {
    return RedisLogin.of(Optional.of(ByteString.fromString("alice")), ByteString.fromString("a"));
  }

  private int asked;
  // No loop is needed: a shared backend opens its link on its first forward only, which these tests never make.
  private final LoginBackends loop = new LoginBackends(null, PROXY,
      (at, login, resp3) -> new SharedBackend(null, null, Duration.ZERO, Duration.ofSeconds(1), resp3, login));
  private final Backends backends = new Backends() {
    @Override
    public Backend of(RedisLogin login, boolean resp3) {
      asked++;
      return loop.of(login, resp3);
    }

    @Override
    public void join(RedisLogin login) {
      loop.join(login);
    }

    @Override
    public void leave(RedisLogin login) {
      loop.leave(login);
    }

    @Override
    public long closings() {
      return loop.closings();
    }
  };
  private final ChosenBackend chosen = new ChosenBackend(backends);

  @Test
  void looksALoginUpOnceWhileItStaysTheSame() {
    RedisLogin alice = alice();
    backends.join(alice);
    Backend first = chosen.of(alice, false);
    assertSame(first, chosen.of(alice, false));
    assertSame(first, chosen.of(alice, false));
    assertEquals(1, asked);
  }

  @Test
  void looksUpAgainForAnotherLoginOrProtocol() {
    RedisLogin alice = alice();
    backends.join(alice);
    Backend resp2 = chosen.of(alice, false);
    Backend resp3 = chosen.of(alice, true);
    assertNotSame(resp2, resp3);
    assertNotSame(resp3, chosen.of(PROXY, true));
    // An equal login that is another object (the same user's AUTH again) is looked up, and gets the same connection.
    assertSame(resp2, chosen.of(alice(), false));
    assertEquals(4, asked);
  }

  @Test
  void looksUpAgainOnceAUsersConnectionsHaveClosed() {
    RedisLogin alice = alice();
    backends.join(alice);
    Backend before = chosen.of(alice, false);
    backends.leave(alice); // the last client left: alice's connection closed
    backends.join(alice);
    Backend after = chosen.of(alice, false);
    assertNotSame(before, after);
    assertSame(after, backends.of(alice, false));
  }
}
