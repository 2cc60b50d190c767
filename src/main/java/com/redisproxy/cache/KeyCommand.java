package com.redisproxy.cache;

import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * A read of one key by a command other than GET ({@code HGETALL k}, {@code ZRANGE k 0 9
 * WITHSCORES} ...), whose reply depends on that key's value alone: cached beside the key's other
 * replies, one for each command, arguments and protocol, all dropped with the key.
 */
public final class KeyCommand extends CacheKey {
  private final List<ByteString> request;
  private final boolean resp3;
  private final ReadArgs args;

  private KeyCommand(ByteString key, List<ByteString> request, boolean resp3) {
    super(key.toArrayUnsafe());
    this.request = request;
    this.resp3 = resp3;
    this.args = ReadArgs.of(request, resp3);
  }

  /**
   * @param request the command as the client sent it, its name first
   * @param keyIndex where the key is in it
   * @param resp3 the reply is wanted in RESP3, else RESP2
   */
  public static KeyCommand of(List<ByteString> request, int keyIndex, boolean resp3) {
    return new KeyCommand(request.get(keyIndex), List.copyOf(request), resp3);
  }

  public List<ByteString> request() {
    return request;
  }

  public boolean resp3() {
    return resp3;
  }

  /** What tells this read's reply from the key's other replies, and its fetch from others in flight. */
  ReadArgs args() {
    return args;
  }

  @Override
  CacheKey plain() {
    return new CacheKey(bytes());
  }
}
