package com.redisproxy.resp.codec;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Splits an inline command line into words exactly as Redis does (its sdssplitargs): blanks
 * separate; "double quotes" group and take the escapes \n \r \t \b \a, \xHH and \ before any
 * other byte; 'single quotes' group and take only \'; a quote may open inside a word, but must
 * be followed by a blank or the end when it closes; a NUL byte ends the line.
 */
public final class InlineSplitter {
  private InlineSplitter() {}

  /** The words of {@code line[from, to)}, or null where Redis finds unbalanced quotes. */
  static List<ByteString> split(byte[] line, int from, int to) {
    int end = from;
    while (end < to && line[end] != 0) end++;
    List<ByteString> words = new ArrayList<>();
    int i = from;
    while (true) {
      while (i < end && isBlank(line[i])) i++;
      if (i == end) return words;
      ByteArrayOutputStream word = new ByteArrayOutputStream();
      i = readWord(line, i, end, word);
      if (i < 0) return null;
      words.add(ByteString.fromArrayUnsafe(word.toByteArray()));
    }
  }

  // Reads one word from {@code i} into {@code word}: where the next word may start, or -1.
  private static int readWord(byte[] line, int i, int end, ByteArrayOutputStream word) {
    while (i < end) {
      byte b = line[i];
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') return i;
      if (b == '"') i = readQuoted(line, i + 1, end, word, true);
      else if (b == '\'') i = readQuoted(line, i + 1, end, word, false);
      else {
        word.write(b);
        i++;
      }
      if (i < 0) return -1;
    }
    return i;
  }

  // Reads up to the closing quote: the index after it, or -1 when it never closes or a byte
  // other than a blank follows it.
  private static int readQuoted(byte[] line, int i, int end, ByteArrayOutputStream word, boolean doubleQuoted) {
    byte quote = doubleQuoted ? (byte) '"' : (byte) '\'';
    while (i < end) {
      byte b = line[i];
      if (doubleQuoted && b == '\\' && i + 3 < end && line[i + 1] == 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
        word.write(Character.digit(line[i + 2], 16) * 16 + Character.digit(line[i + 3], 16));
        i += 4;
      } else if (doubleQuoted && b == '\\' && i + 1 < end) {
        word.write(escaped(line[i + 1]));
        i += 2;
      } else if (!doubleQuoted && b == '\\' && i + 1 < end && line[i + 1] == '\'') {
        word.write('\'');
        i += 2;
      } else if (b == quote) {
        return i + 1 < end && !isBlank(line[i + 1]) ? -1 : i + 1;
      } else {
        word.write(b);
        i++;
      }
    }
    return -1;
  }

  private static int escaped(byte b) {
    return switch (b) {
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'b' -> '\b';
      case 'a' -> 7;
      default -> b;
    };
  }

  private static boolean isHex(byte b) {
    return Character.digit(b, 16) >= 0;
  }

  // C's isspace, as Redis skips between words and checks after a closing quote.
  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
  }
}
