package com.redisproxy.resp.codec;

import java.util.List;
import java.util.Locale;
import org.apache.pekko.util.ByteString;

/** One client command: its arguments as sent, the command name first. Never empty. */
public record RespRequest(List<ByteString> args) {

  /** True when the command name is {@code lowerCaseName}, in any case; allocates nothing. */
  public boolean is(String lowerCaseName) {
    ByteString name = args.get(0);
    if (name.size() != lowerCaseName.length()) return false;
    for (int i = 0; i < name.size(); i++) {
      int b = name.apply(i);
      if (b >= 'A' && b <= 'Z') b += 'a' - 'A';
      if (b != lowerCaseName.charAt(i)) return false;
    }
    return true;
  }

  /** The command name, lower case, for dispatch. */
  public String name() {
    return args.get(0).utf8String().toLowerCase(Locale.ROOT);
  }

  public ByteString arg(int index) {
    return args.get(index);
  }

  public int size() {
    return args.size();
  }
}
