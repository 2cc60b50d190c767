package com.redisproxy.resp.forward;

import com.redisproxy.resp.command.RedisLogin;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One event loop's shared connections to Redis, one pair (RESP2, RESP3) per Redis user its clients
 * act as: the proxy's own user's are the loop's long-lived shared connections; another user's open
 * when the first client on the loop logs in as it and close when the last one of them leaves
 * (logs in as someone else, or disconnects). So a user's commands run in Redis as that user, on
 * one multiplexed connection per loop however many clients log in as it. Used by the loop's
 * thread only.
 */
public final class LoginBackends implements Backends {

  /** How a loop's shared connection for one login is made. */
  public interface Opener {
    SharedBackend open(EventLoop loop, Optional<RedisLogin> login, boolean resp3);
  }

  private static final class Pair {
    final SharedBackend resp2;
    SharedBackend resp3;
    int clients;

    Pair(SharedBackend resp2) {
      this.resp2 = resp2;
    }
  }

  private final EventLoop loop;
  private final RedisLogin proxyLogin;
  private final Opener opener;
  private final Pair own;
  private final Map<RedisLogin, Pair> others = new HashMap<>();
  private long closings;

  public LoginBackends(EventLoop loop, RedisLogin proxyLogin, Opener opener) {
    this.loop = loop;
    this.proxyLogin = proxyLogin;
    this.opener = opener;
    this.own = new Pair(opener.open(loop, Optional.empty(), false));
  }

  /** The connection {@code login}'s commands go on; its link opens on first use. */
  @Override
  public SharedBackend of(RedisLogin login, boolean resp3) {
    Pair pair = pair(login);
    if (!resp3) return pair.resp2;
    if (pair.resp3 == null) pair.resp3 = opener.open(loop, own(login) ? Optional.empty() : Optional.of(login), true);
    return pair.resp3;
  }

  /** A client of the loop acts as {@code login} from now on. */
  @Override
  public void join(RedisLogin login) {
    if (!own(login)) pair(login).clients++;
  }

  /** A client of the loop no longer acts as {@code login}: the last one to leave closes its connections. */
  @Override
  public void leave(RedisLogin login) {
    if (own(login)) return;
    Pair pair = others.get(login);
    if (pair == null || --pair.clients > 0) return;
    close(login, pair);
  }

  /**
   * An AUTH Redis refused opened {@code login}'s connection with no client acting as it: it closes,
   * or every wrong password a client tried would keep an entry here for as long as the loop runs.
   */
  @Override
  public void refused(RedisLogin login) {
    if (own(login)) return;
    Pair pair = others.get(login);
    if (pair != null && pair.clients == 0) close(login, pair);
  }

  private void close(RedisLogin login, Pair pair) {
    others.remove(login);
    closings++;
    pair.resp2.close();
    if (pair.resp3 != null) pair.resp3.close();
  }

  @Override
  public long closings() {
    return closings;
  }

  /** How many users other than the proxy's own have connections on this loop (INFO, tests). */
  public int otherLogins() {
    return others.size();
  }

  private Pair pair(RedisLogin login) {
    if (own(login)) return own;
    return others.computeIfAbsent(login, key -> new Pair(opener.open(loop, Optional.of(key), false)));
  }

  // Compared by value: a client that logs in as the proxy's own user and password shares its connections.
  private boolean own(RedisLogin login) {
    return login.equals(proxyLogin);
  }
}
