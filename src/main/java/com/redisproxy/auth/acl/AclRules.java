package com.redisproxy.auth.acl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * Every Redis user at one moment, read from {@code ACL LIST}, with the members of each command
 * category ({@code ACL CAT <category>}) that the users' {@code +@category} rules name.
 *
 * @param text the ACL LIST lines this was read from: a poll that reads the same text changes nothing
 */
public record AclRules(List<String> text, Map<String, AclUser> users, Map<String, Set<String>> categories) {

  /** Nothing is known: every question is answered "unsure". */
  public static final AclRules UNKNOWN = new AclRules(List.of(), Map.of(), Map.of());

  /** @param lines ACL LIST's reply, each line's bytes as ISO-8859-1 characters */
  public static AclRules parse(List<String> lines, Map<String, Set<String>> categories) {
    Map<String, AclUser> users = new HashMap<>();
    for (String line : lines) {
      AclUser user = AclUser.parse(line);
      if (user != null) users.put(user.name(), user);
    }
    return new AclRules(List.copyOf(lines), Map.copyOf(users), Map.copyOf(categories));
  }

  public boolean known() {
    return !users.isEmpty();
  }

  public Optional<AclUser> user(String name) {
    return Optional.ofNullable(users.get(name));
  }

  /** Whether {@code user} may run {@code command} on every one of {@code keys}; unsure for a user not (yet) known. */
  public AclUser.Decision mayRun(String user, String command, List<ByteString> keys) {
    AclUser found = users.get(user);
    return found == null ? AclUser.Decision.UNSURE : found.mayRun(command, keys, categories);
  }

  /**
   * Whether a connection that never authenticated is refused ({@code -NOAUTH}), as Redis decides:
   * unless the default user is on and needs no password. Empty while not known.
   */
  public Optional<Boolean> defaultNeedsPassword() {
    AclUser found = users.get("default");
    return found == null ? Optional.empty() : Optional.of(!(found.enabled() && found.nopass()));
  }
}
