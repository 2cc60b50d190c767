package com.redisproxy.resp.command;

import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.tracking.Tracker;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * The requests the proxy answers itself, one after another, as their handlers (see
 * {@link CommandTable}) see them: who asks, and the ways each can be answered. An answer known at
 * once is written to {@link #out()}; one that needs the cache is asked for, and rendered in its
 * place once the cache has answered.
 */
public abstract class LocalCall {
  private final RespSession session;
  private final RespAuth auth;
  private RespRequest request;
  private RespWriter out;

  LocalCall(RespSession session, RespAuth auth) {
    this.session = session;
    this.auth = auth;
  }

  /** Runs {@code next}'s handler: the answer it wrote at once, or empty when it asked the cache. */
  final Optional<ByteString> answer(RespRequest next) {
    request = next;
    out = null;
    Optional<CommandTable.Handler> handler = CommandTable.handler(next);
    if (handler.isPresent()) handler.get().answer(this);
    else LocalCommands.unknown(this);
    return out == null ? Optional.empty() : Optional.of(out.result());
  }

  public RespSession session() {
    return session;
  }

  public RespRequest request() {
    return request;
  }

  public RespAuth auth() {
    return auth;
  }

  /** Where an answer known now is written. */
  public RespWriter out() {
    if (out == null) out = new RespWriter();
    return out;
  }

  /** The proxy's client connections (CLIENT LIST, INFO, KILL). */
  public abstract Clients clients();

  /** The client's CLIENT TRACKING, where the proxy does it. */
  public abstract Tracker tracker();

  /** The backing Redis's version, as the proxy's HELLO presents it. */
  public abstract String redisVersion();

  /** The answer is the cached value of {@code key} (GET). */
  public abstract void readCached(ByteString key);

  /** The answer is an array of the cached values of {@code keys} (MGET). */
  public abstract void readCached(List<ByteString> keys);

  /** The answer is the proxy's own INFO section, with the cache's figures. */
  public abstract void proxyInfo();

  /** Calls answered at once: for the commands whose answer needs no cache. HELLO presents the assumed version. */
  static LocalCall immediate(RespSession session, RespAuth auth) {
    return new LocalCall(session, auth) {
      @Override
      public Clients clients() {
        return Clients.NONE;
      }

      @Override
      public String redisVersion() {
        return ServerInfo.ASSUMED_REDIS_VERSION;
      }

      @Override
      public Tracker tracker() {
        return Tracker.disabled();
      }

      @Override
      public void readCached(ByteString key) {
        throw new IllegalStateException("GET is answered through the cache, not at once");
      }

      @Override
      public void readCached(List<ByteString> keys) {
        throw new IllegalStateException("MGET is answered through the cache, not at once");
      }

      @Override
      public void proxyInfo() {
        throw new IllegalStateException("INFO proxy needs the cache's figures");
      }
    };
  }
}
