package com.redisproxy.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.util.ByteString;

/**
 * A read's command, arguments and protocol in one array, hashed once: the name in lower case, then
 * each argument after its length (so that no two requests share a form), then the protocol.
 */
final class ReadArgs {
  private final byte[] form;
  private final int hash;

  private ReadArgs(byte[] form) {
    this.form = form;
    this.hash = Arrays.hashCode(form);
  }

  static ReadArgs of(List<ByteString> request, boolean resp3) {
    byte[] name = request.get(0).utf8String().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    int size = 4 + name.length + 1;
    for (int i = 1; i < request.size(); i++) size += 4 + request.get(i).size();
    byte[] form = new byte[size];
    int at = put(form, 0, name);
    for (int i = 1; i < request.size(); i++) at = put(form, at, request.get(i).toArrayUnsafe());
    form[at] = (byte) (resp3 ? 3 : 2);
    return new ReadArgs(form);
  }

  private static int put(byte[] form, int at, byte[] part) {
    form[at] = (byte) (part.length >>> 24);
    form[at + 1] = (byte) (part.length >>> 16);
    form[at + 2] = (byte) (part.length >>> 8);
    form[at + 3] = (byte) part.length;
    System.arraycopy(part, 0, form, at + 4, part.length);
    return at + 4 + part.length;
  }

  int size() {
    return form.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ReadArgs args && args.hash == hash && Arrays.equals(args.form, form);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
