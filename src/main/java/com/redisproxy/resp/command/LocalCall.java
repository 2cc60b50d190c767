package com.redisproxy.resp.command;

import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * One request the proxy answers itself, as its handler (see {@link CommandTable}) sees it: who
 * asks, and the ways it can be answered. An answer known at once is written to {@link #out()};
 * one that needs the cache is asked for, and rendered in its place once the cache has answered.
 */
public interface LocalCall {
  RespSession session();

  RespRequest request();

  RespAuth auth();

  /** The backing Redis's version, as the proxy's HELLO presents it. */
  String redisVersion();

  /** Where an answer known now is written. */
  RespWriter out();

  /** The answer is the cached value of {@code key} (GET). */
  void readCached(ByteString key);

  /** The answer is an array of the cached values of {@code keys} (MGET). */
  void readCached(List<ByteString> keys);

  /** The answer is the proxy's own INFO section, with the cache's figures. */
  void proxyInfo();

  /** A call answered at once: for the commands whose answer needs no cache. HELLO presents the assumed version. */
  static LocalCall immediate(RespSession session, RespRequest request, RespAuth auth) {
    RespWriter out = new RespWriter();
    return new LocalCall() {
      @Override
      public RespSession session() {
        return session;
      }

      @Override
      public RespRequest request() {
        return request;
      }

      @Override
      public RespAuth auth() {
        return auth;
      }

      @Override
      public String redisVersion() {
        return ServerInfo.ASSUMED_REDIS_VERSION;
      }

      @Override
      public RespWriter out() {
        return out;
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
