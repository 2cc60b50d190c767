package com.redisproxy.auth.acl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * One Redis user as a line of {@code ACL LIST} describes it (6.2 and 7.0): on or off, its
 * passwords' SHA-256 digests, its command rules in order, and the key patterns it may read.
 * Redis writes that line so that applying its rules left to right rebuilds the user, which is
 * how {@link #mayRun} reads them. Lines are read as ISO-8859-1, one char per byte, so that
 * patterns and names keep their bytes. 7.0's selectors ({@code (...)}) are kept only as "there are
 * some": a command the root rules refuse may still be allowed by one, so the answer is unsure.
 */
public record AclUser(String name, boolean enabled, boolean nopass, Set<String> passwordDigests,
    List<String> commandRules, List<KeyPattern> readPatterns, boolean allKeys, boolean selectors) {

  public enum Decision { ALLOWED, DENIED, UNSURE }

  /** {@code user alice on #<sha256> ~cache:* resetchannels -@all +get}; null for a line that is not a user. */
  static AclUser parse(String line) {
    List<String> words = words(line);
    if (words.size() < 2 || !words.get(0).equals("user")) return null;
    boolean enabled = false;
    boolean nopass = false;
    boolean selectors = false;
    boolean allKeys = false;
    Set<String> digests = new HashSet<>();
    List<String> commands = new ArrayList<>();
    List<KeyPattern> patterns = new ArrayList<>();
    for (String word : words.subList(2, words.size())) {
      String lower = word.toLowerCase(Locale.ROOT);
      if (word.startsWith("(")) selectors = true;
      else if (lower.equals("on")) enabled = true;
      else if (lower.equals("off")) enabled = false;
      else if (lower.equals("nopass")) nopass = true;
      else if (word.startsWith("#")) digests.add(lower.substring(1));
      else if (lower.equals("allkeys") || word.equals("~*")) allKeys = true;
      else if (lower.equals("resetkeys")) {
        allKeys = false;
        patterns.clear();
      } else if (word.startsWith("~")) patterns.add(KeyPattern.of(bytes(word.substring(1))));
      else if (word.startsWith("%")) readPattern(word).map(KeyPattern::of).ifPresent(patterns::add);
      else if (word.startsWith("+") || word.startsWith("-") || lower.equals("allcommands") || lower.equals("nocommands")) {
        commands.add(lower);
      }
    }
    return new AclUser(words.get(1), enabled, nopass, Set.copyOf(digests), List.copyOf(commands), List.copyOf(patterns),
        allKeys, selectors);
  }

  /** Whether a connection authenticated as this user may run {@code command} (lower case, no subcommand) on {@code keys}. */
  public Decision mayRun(String command, List<ByteString> keys, Map<String, Set<String>> categories) {
    return mayRun(commandAllowed(command, categories), keys);
  }

  /** As {@link #mayRun(String, List, Map)}, given what the root rules decided for the command ({@link #commandAllowed}). */
  Decision mayRun(Decision rootCommand, List<ByteString> keys) {
    Decision decided = rootCommand == Decision.ALLOWED ? keysAllowed(keys) : rootCommand;
    if (decided == Decision.DENIED && selectors) return Decision.UNSURE;
    return decided;
  }

  /** Whether {@code password} logs in as this user, as AUTH would decide (given Redis's own digests). */
  public boolean accepts(byte[] password) {
    if (!enabled) return false;
    return nopass || passwordDigests.contains(HexFormat.of().formatHex(sha256(password)));
  }

  /** What the root rules (not the selectors) decide for {@code command}, whatever the keys. */
  Decision commandAllowed(String command, Map<String, Set<String>> categories) {
    boolean allowed = false;
    for (String rule : commandRules) {
      switch (rule) {
        case "allcommands", "+@all" -> allowed = true;
        case "nocommands", "-@all" -> allowed = false;
        default -> {
          boolean grant = rule.charAt(0) == '+';
          String target = rule.substring(1);
          if (target.startsWith("@")) {
            Set<String> members = categories.get(target.substring(1));
            if (members == null) return Decision.UNSURE;
            if (members.contains(command)) allowed = grant;
          } else if (target.equals(command)) {
            allowed = grant;
          } else if (target.startsWith(command + "|")) {
            return Decision.UNSURE; // a rule on some of its subcommands or first arguments
          }
        }
      }
    }
    return allowed ? Decision.ALLOWED : Decision.DENIED;
  }

  // Asked on every cache hit of a user with key patterns: indexed loops, no iterators.
  private Decision keysAllowed(List<ByteString> keys) {
    if (allKeys) return Decision.ALLOWED;
    for (int k = 0; k < keys.size(); k++) {
      byte[] key = keys.get(k).toArrayUnsafe(); // the parser's own array when compact, else a copy; only read
      if (!anyPatternMatches(key)) return Decision.DENIED;
    }
    return Decision.ALLOWED;
  }

  private boolean anyPatternMatches(byte[] key) {
    for (int p = 0; p < readPatterns.size(); p++) {
      if (readPatterns.get(p).matches(key)) return true;
    }
    return false;
  }

  // 7.0: %R~p and %RW~p grant reads; %W~p does not.
  private static Optional<byte[]> readPattern(String word) {
    int tilde = word.indexOf('~');
    if (tilde < 0) return Optional.empty();
    String permissions = word.substring(1, tilde).toUpperCase(Locale.ROOT);
    return permissions.contains("R") ? Optional.of(bytes(word.substring(tilde + 1))) : Optional.empty();
  }

  // ACL LIST quotes nothing but a selector's parentheses, which hold spaces: a selector is one word.
  private static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    int i = 0;
    while (i < line.length()) {
      if (line.charAt(i) == ' ') {
        i++;
        continue;
      }
      int end;
      if (line.charAt(i) == '(') {
        int close = line.indexOf(')', i);
        end = close < 0 ? line.length() : close + 1;
      } else {
        int space = line.indexOf(' ', i);
        end = space < 0 ? line.length() : space;
      }
      words.add(line.substring(i, end));
      i = end;
    }
    return words;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
