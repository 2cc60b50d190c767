package com.redisproxy.http;

import java.util.Optional;

/**
 * The {@code key} of {@code /proxy?key=K} when the query is that parameter alone and K needs no
 * decoding, read from the raw query as it is. pekko-http's {@code Uri.query()} runs its full query
 * parser on every call: about 600 bytes of garbage per request, a tenth of a keep-alive hit's.
 * Any other query (percent-encoded, with '+', several parameters) is left to that parser.
 */
final class KeyParameter {
  private static final String ALONE = "key=";

  private KeyParameter() {}

  /** K for a raw query {@code key=K} whose K decodes to itself; empty for any other query. */
  static Optional<String> plain(String rawQuery) {
    if (!rawQuery.startsWith(ALONE)) return Optional.empty();
    for (int i = ALONE.length(); i < rawQuery.length(); i++) {
      if (!decodesToItself(rawQuery.charAt(i))) return Optional.empty();
    }
    return Optional.of(rawQuery.substring(ALONE.length()));
  }

  // RFC 3986's query characters less the ones a query parser treats specially: '%' (an escape),
  // '+' (a space), '&', ';' and '=' (separators).
  private static boolean decodesToItself(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
        || "-._~:@!$'()*,/?".indexOf(c) >= 0;
  }
}
