package com.redisproxy.resp.codec;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/** Splits an inline command line into words as Redis does: spaces separate, quotes group. */
public final class InlineSplitter {
  private InlineSplitter() {}

  /** The words of {@code line[from, to)}, or null when a quote is not closed. */
  static List<ByteString> split(byte[] line, int from, int to) {
    List<ByteString> words = new ArrayList<>();
    int i = from;
    while (true) {
      while (i < to && isSpace(line[i])) i++;
      if (i == to) return words;
      ByteArrayOutputStream word = new ByteArrayOutputStream();
      byte quote = 0;
      while (i < to && (quote != 0 || !isSpace(line[i]))) {
        byte b = line[i++];
        if (quote == 0 && (b == '"' || b == '\'')) {
          quote = b;
        } else if (quote != 0 && b == quote) {
          quote = 0;
        } else if (quote == '"' && b == '\\' && i < to) {
          word.write(line[i++]);
        } else {
          word.write(b);
        }
      }
      if (quote != 0) return null;
      words.add(ByteString.fromArrayUnsafe(word.toByteArray()));
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\r';
  }
}
