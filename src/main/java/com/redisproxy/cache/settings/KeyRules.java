package com.redisproxy.cache.settings;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * The operator's policy by key pattern ({@code cache.rules}): the first rule whose glob matches a
 * key decides whether its reads are cached, and for how long (in place of {@code cache.expiry},
 * longer or shorter; Redis's own shorter TTL still ends the entry first). Asked only when a
 * fetched value is about to be kept, never on a hit.
 */
public final class KeyRules {
  /** One rule: keys matching {@code pattern} are not cached ({@code expiry} empty) or live {@code expiry}. */
  public record Rule(String pattern, Optional<Duration> expiry) {
    public static Rule notCached(String pattern) {
      return new Rule(pattern, Optional.empty());
    }

    public static Rule cachedFor(String pattern, Duration expiry) {
      return new Rule(pattern, Optional.of(expiry));
    }
  }

  /** What a key's reads get: not cached, or an entry living this long. */
  public record Policy(boolean cached, Duration expiry) {}

  public static final KeyRules NONE = new KeyRules(List.of(), (pattern, key) -> false);

  private final List<Rule> rules;
  private final List<byte[]> patterns;
  private final BiPredicate<byte[], byte[]> glob;

  /** @param glob whether a pattern's bytes match a key's bytes (Redis's glob, as KEYS uses it) */
  public KeyRules(List<Rule> rules, BiPredicate<byte[], byte[]> glob) {
    this.rules = List.copyOf(rules);
    this.patterns = this.rules.stream().map(rule -> rule.pattern().getBytes(StandardCharsets.UTF_8)).toList();
    this.glob = glob;
  }

  public List<Rule> rules() {
    return rules;
  }

  /** The policy of {@code key}: its first matching rule's, else cached for {@code expiry}. */
  public Policy policyFor(byte[] key, Duration expiry) {
    for (int i = 0; i < patterns.size(); i++) {
      if (glob.test(patterns.get(i), key)) {
        Optional<Duration> own = rules.get(i).expiry();
        return own.map(duration -> new Policy(true, duration)).orElse(new Policy(false, expiry));
      }
    }
    return new Policy(true, expiry);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyRules that && that.rules.equals(rules);
  }

  @Override
  public int hashCode() {
    return rules.hashCode();
  }

  @Override
  public String toString() {
    return rules.toString();
  }
}
