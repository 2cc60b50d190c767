package com.redisproxy.resp.cluster;

import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.command.CommandTable;
import com.redisproxy.resp.command.Refusals;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;
import org.apache.pekko.util.ByteString;

/**
 * Where a forwarded command goes in front of a Redis Cluster, decided from Redis's own COMMAND
 * table: to the master of its first key's slot (the node itself answers CROSSSLOT when the other
 * keys are elsewhere); split by slot and summed (DEL, UNLINK, EXISTS, TOUCH); answered for the
 * whole cluster (DBSIZE, FLUSHALL, FLUSHDB, INFO, KEYS, SCAN, RANDOMKEY, scripts and functions); to any node where every node answers alike
 * (COMMAND, and what Redis will refuse anyway: unknown commands, wrong arity); or refused.
 */
public final class ClusterRouting {
  /** What to do with one request. */
  sealed interface Decision {}

  /** Send it to the master of the slot of the argument at {@code keyIndex}. */
  record Keyed(int keyIndex) implements Decision {}

  /** Its keys move with its arguments (EVAL, SORT ... STORE): ask Redis which they are, then route by the first. */
  enum KeysFromRedis implements Decision { INSTANCE }

  /** Any node answers it as the others would. */
  enum AnyNode implements Decision { INSTANCE }

  /** Each part holds the keys of one slot; the answer is the sum of theirs. */
  record Summed(List<List<ByteString>> parts) implements Decision {}

  /** Answered for the cluster as a whole. */
  enum WholeCluster implements Decision { DBSIZE, FLUSH, INFO }

  /** Sent to every master (or, for SCAN, to one after another), their replies made into one. */
  enum EveryMaster implements Decision { KEYS, SCAN, RANDOMKEY, ALIKE, ALL_OF }

  record Refused(ByteString reply) implements Decision {}

  private final CommandTable table;
  private final ToIntFunction<ByteString> slotOf;

  public ClusterRouting(CommandTable table, ToIntFunction<ByteString> slotOf) {
    this.table = table;
    this.slotOf = slotOf;
  }

  Decision decide(RespRequest request) {
    String name = request.name();
    if (table.isShardedPubSubUnknown(request)) return new Refused(Refusals.needsRedis7(request));
    Optional<CommandTable.Command> known = table.command(name);
    if (known.isPresent() && !known.get().takes(request.size())) return AnyNode.INSTANCE; // Redis's own arity error
    switch (CommandTable.inCluster(request)) {
      case WHOLE_DBSIZE: return WholeCluster.DBSIZE;
      case WHOLE_FLUSH: return WholeCluster.FLUSH;
      case WHOLE_INFO: return WholeCluster.INFO;
      case ANY_NODE: return AnyNode.INSTANCE;
      case EVERY_MASTER_KEYS: return EveryMaster.KEYS;
      case EVERY_MASTER_SCAN:
        if (request.size() >= 2) return EveryMaster.SCAN;
        break;
      case RANDOM_MASTER: return EveryMaster.RANDOMKEY;
      case EVERY_MASTER_ALIKE: return EveryMaster.ALIKE;
      case EVERY_MASTER_ALL_OF: return EveryMaster.ALL_OF;
      case SUMMED_BY_SLOT:
        if (request.size() >= 2) return bySlot(request);
        break;
      default: break;
    }
    // Unknown (or the table not read yet: a keyed command then reaches its node by MOVED).
    if (known.isEmpty()) return AnyNode.INSTANCE;
    CommandTable.Command command = known.get();
    if (command.movableKeys()) return KeysFromRedis.INSTANCE;
    if (command.firstKey() > 0 && command.firstKey() < request.size()) return new Keyed(command.firstKey());
    return new Refused(Refusals.noSingleMeaningInCluster(request));
  }

  // Keys keep their order within a slot, so EXISTS k k still counts k twice.
  private Decision bySlot(RespRequest request) {
    Map<Integer, List<ByteString>> parts = new LinkedHashMap<>();
    for (ByteString key : request.args().subList(1, request.size())) {
      parts.computeIfAbsent(slotOf.applyAsInt(key), slot -> {
        List<ByteString> part = new ArrayList<>();
        part.add(request.arg(0));
        return part;
      }).add(key);
    }
    if (parts.size() == 1) return new Keyed(1);
    return new Summed(List.copyOf(parts.values()));
  }
}
