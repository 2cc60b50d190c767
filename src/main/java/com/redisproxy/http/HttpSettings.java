package com.redisproxy.http;

/**
 * @param onCacheThread the HTTP connections' streams run on the thread the CacheActor runs on
 * @param h2c HTTP/2 with prior knowledge on a plain-text port
 * @param h2 HTTP/2 negotiated by ALPN on a TLS port
 */
public record HttpSettings(int port, boolean accessLog, boolean onCacheThread, boolean h2c, boolean h2) {

  /** Whether the port serves HTTP/2 too, with TLS on it or not. */
  public boolean http2(boolean tls) {
    return tls ? h2 : h2c;
  }
}
