package com.redisproxy.fetch.cluster;

import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/** The hash slots a cluster event concerns: the keys in them may have missed their invalidations. */
public final class ClusterSlots {
  private ClusterSlots() {}

  static BitSet all() {
    BitSet slots = new BitSet(SlotHash.SLOT_COUNT);
    slots.set(0, SlotHash.SLOT_COUNT);
    return slots;
  }

  /**
   * The slots whose keys a read from the node at {@code host:port} returned: its own if it is a
   * master, its master's if it is a replica, every slot if the topology does not know it.
   */
  static BitSet servedBy(Collection<RedisClusterNode> nodes, String host, int port) {
    Optional<RedisClusterNode> node = nodes.stream()
        .filter(n -> n.getUri() != null && host.equals(n.getUri().getHost()) && n.getUri().getPort() == port).findFirst();
    if (node.isEmpty()) return all();
    BitSet slots = slotsOf(node.get());
    String masterId = node.get().getSlaveOf();
    if (masterId != null) {
      nodes.stream().filter(n -> masterId.equals(n.getNodeId())).findFirst().ifPresent(m -> slots.or(slotsOf(m)));
    }
    return slots;
  }

  /** The slots whose master is not the same node after as before (moved, failed over, or uncovered). */
  static BitSet movedBetween(Collection<RedisClusterNode> before, Collection<RedisClusterNode> after) {
    Map<Integer, String> ownerBefore = owners(before);
    Map<Integer, String> ownerAfter = owners(after);
    BitSet moved = new BitSet(SlotHash.SLOT_COUNT);
    for (int slot = 0; slot < SlotHash.SLOT_COUNT; slot++) {
      if (!Objects.equals(ownerBefore.get(slot), ownerAfter.get(slot))) moved.set(slot);
    }
    return moved;
  }

  /** Matches a key's bytes whose slot is in {@code slots} (which must not change afterwards). */
  static Predicate<byte[]> keysIn(BitSet slots) {
    return key -> slots.get(SlotHash.getSlot(key));
  }

  private static BitSet slotsOf(RedisClusterNode node) {
    BitSet slots = new BitSet(SlotHash.SLOT_COUNT);
    node.getSlots().forEach(slots::set);
    return slots;
  }

  private static Map<Integer, String> owners(Collection<RedisClusterNode> nodes) {
    Map<Integer, String> owners = new HashMap<>();
    for (RedisClusterNode node : nodes) {
      if (node.getRole().isUpstream()) node.getSlots().forEach(slot -> owners.put(slot, node.getNodeId()));
    }
    return owners;
  }
}
