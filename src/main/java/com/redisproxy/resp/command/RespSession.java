package com.redisproxy.resp.command;

import com.redisproxy.resp.codec.RespRequest;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * What Redis remembers about one client connection: who it is (past the proxy's gate, and as
 * which Redis user), its name, and the protocol it
 * speaks. Changed in request order (AUTH, HELLO, CLIENT SETNAME, RESET), so that a pipeline's
 * later commands see it; used on its connection's event loop only.
 */
public final class RespSession {
  private final long id;
  // Read by CLIENT LIST from other loops' threads: volatile, as are the two below.
  private volatile Optional<ByteString> name = Optional.empty();
  private volatile long lastActiveMillis = System.currentTimeMillis();
  // Named only when CLIENT LIST asks: the read path keeps the name's bytes (not the request, whose
  // values could be large), and builds no string for it.
  private volatile ByteString lastName;
  private volatile ByteString lastFirstArgument;
  private boolean authenticated;
  private volatile Optional<RedisLogin> login = Optional.empty();
  private volatile boolean resp3;

  public RespSession(long id, boolean authenticated) {
    this.id = id;
    this.authenticated = authenticated;
  }

  public long id() {
    return id;
  }

  public Optional<ByteString> name() {
    return name;
  }

  /** CLIENT SETNAME or HELLO ... SETNAME; an empty name clears it. */
  void rename(ByteString newName) {
    name = newName.isEmpty() ? Optional.empty() : Optional.of(newName);
  }

  /** Past the proxy's own gate (PROXY_PASSWORD), or there is none. */
  public boolean authenticated() {
    return authenticated;
  }

  void authenticate() {
    authenticated = true;
  }

  /** The Redis user this client acts as: the one it logged in as, else Redis's default user. */
  public String userName() {
    Optional<RedisLogin> current = login;
    return current.isPresent() ? current.get().userName() : "default";
  }

  /** The client sent {@code request} now (CLIENT LIST names it {@code client|list} and the like). */
  public void active(RespRequest request) {
    lastActiveMillis = System.currentTimeMillis();
    lastFirstArgument = request.size() >= 2 && (request.is("client") || request.is("script") || request.is("function"))
        ? request.arg(1) : null;
    lastName = request.arg(0);
  }

  public long lastActiveMillis() {
    return lastActiveMillis;
  }

  public String lastCommand() {
    ByteString name = lastName;
    return name == null ? "NULL" : CommandTable.listedName(name.utf8String().toLowerCase(Locale.ROOT), lastFirstArgument);
  }

  /** The Redis user Redis accepted this client as (AUTH or HELLO ... AUTH); empty until then. */
  public Optional<RedisLogin> login() {
    return login;
  }

  /** Redis answered the client's AUTH with OK. */
  public void loggedIn(RedisLogin accepted) {
    login = Optional.of(accepted);
  }

  /**
   * True once HELLO 3 was accepted (HELLO 2 and RESET undo it). The cache's replies follow it, and
   * forwarded commands go to a backing connection that speaks it.
   */
  public boolean resp3() {
    return resp3;
  }

  public void speak(int protocol) {
    resp3 = protocol == 3;
  }
}
