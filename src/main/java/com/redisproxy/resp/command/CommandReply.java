package com.redisproxy.resp.command;

import com.redisproxy.resp.command.CommandTable.Command;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * What {@link CommandTable} learns from Redis's own COMMAND reply: every command by name, and the
 * reads it caches besides GET and MGET, with where their key is.
 */
record CommandReply(Map<String, Command> commands, Map<String, Integer> cachedReads) {
  /**
   * Read-only commands of one key that Redis's flags alone would let through, never cached, each
   * for its reason. Those flagged random (6.2) or with the tip nondeterministic_output (7.0) are
   * kept out by their flags too; listed here so that a Redis that forgets a flag changes nothing.
   */
  static final Map<String, String> NEVER_CACHED = Map.ofEntries(
      Map.entry("srandmember", "answers at random"),
      Map.entry("hrandfield", "answers at random"),
      Map.entry("zrandmember", "answers at random"),
      Map.entry("ttl", "counts down with time, with no write to the key"),
      Map.entry("pttl", "counts down with time, with no write to the key"),
      Map.entry("expiretime", "about the key's expiry, not its value; read with the TTL commands"),
      Map.entry("pexpiretime", "about the key's expiry, not its value; read with the TTL commands"),
      Map.entry("httl", "a hash field's time to live counts down with time (Redis 7.4)"),
      Map.entry("hpttl", "a hash field's time to live counts down with time (Redis 7.4)"),
      Map.entry("hexpiretime", "about a hash field's expiry, not its value (Redis 7.4)"),
      Map.entry("hpexpiretime", "about a hash field's expiry, not its value (Redis 7.4)"),
      Map.entry("object", "idle time and frequency change with every access, encoding without a write"),
      Map.entry("memory", "the key's memory use changes without a write"),
      Map.entry("dump", "a serialisation of the key, not a read of it: nondeterministic in 7.0"),
      Map.entry("sort_ro", "reads other keys through its BY and GET patterns"),
      Map.entry("hscan", "a cursor into the hash's table, which changes as Redis rehashes"),
      Map.entry("sscan", "a cursor into the set's table, which changes as Redis rehashes"),
      Map.entry("zscan", "a cursor into the sorted set's table, which changes as Redis rehashes"),
      Map.entry("xpending", "idle times count up with time"),
      Map.entry("xinfo", "idle times count up with time"));

  /**
   * Flagged random in Redis 6.2 only because their order is unspecified: 7.0 gives them the tip
   * nondeterministic_output_order, not nondeterministic_output. Any order is one Redis might send.
   */
  private static final Set<String> RANDOM_ONLY_IN_ORDER_62 = Set.of("hgetall");

  /**
   * Reads Redis's COMMAND reply as Lettuce decodes it (nested lists): Redis 6.2's six fields, or
   * 7.0's with ACL categories, tips and key specs after them. In front of a cluster only GET is cached.
   */
  static CommandReply read(List<Object> reply, boolean cluster) {
    Map<String, Command> table = new HashMap<>();
    Map<String, Integer> reads = new HashMap<>();
    for (Object entry : reply) {
      List<?> fields = (List<?>) entry;
      Set<String> flags = new HashSet<>();
      for (Object flag : (List<?>) fields.get(2)) flags.add(text(flag).toLowerCase(Locale.ROOT));
      String name = text(fields.get(0)).toLowerCase(Locale.ROOT);
      Command command = new Command(name, number(fields.get(1)), Set.copyOf(flags),
          number(fields.get(3)), number(fields.get(4)), number(fields.get(5)));
      table.put(name, command);
      Set<String> tips = new HashSet<>();
      if (fields.size() > 7 && fields.get(7) instanceof List<?> listed) {
        for (Object tip : listed) tips.add(text(tip).toLowerCase(Locale.ROOT));
      }
      int keySpecs = fields.size() > 8 && fields.get(8) instanceof List<?> specs ? specs.size() : 1;
      if (!cluster && cachesReadsOf(command, tips, keySpecs)) reads.put(name, command.firstKey());
    }
    return new CommandReply(Map.copyOf(table), Map.copyOf(reads));
  }

  /**
   * A read-only command of one key whose reply depends on that key's value alone: its first and
   * last key are the same (one key spec in 7.0), it neither blocks nor subscribes, its reply is not
   * random (6.2's flag random, 7.0's tip nondeterministic_output), and it is not one of
   * {@link #NEVER_CACHED}. GET has a path of its own.
   */
  private static boolean cachesReadsOf(Command command, Set<String> tips, int keySpecs) {
    Set<String> flags = command.flags();
    boolean random = (flags.contains("random") && !RANDOM_ONLY_IN_ORDER_62.contains(command.name()))
        || tips.contains("nondeterministic_output");
    return flags.contains("readonly") && !flags.contains("blocking") && !flags.contains("pubsub")
        && !command.movableKeys() && !random && command.firstKey() > 0 && command.lastKey() == command.firstKey()
        && keySpecs == 1 && !NEVER_CACHED.containsKey(command.name()) && !command.name().equals("get");
  }

  private static String text(Object value) {
    if (value instanceof ByteString bytes) return bytes.utf8String();
    if (value instanceof ByteBuffer buffer) return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    if (value instanceof byte[] bytes) return new String(bytes, StandardCharsets.UTF_8);
    return String.valueOf(value);
  }

  private static int number(Object value) {
    return value instanceof Number n ? n.intValue() : Integer.parseInt(text(value));
  }
}
