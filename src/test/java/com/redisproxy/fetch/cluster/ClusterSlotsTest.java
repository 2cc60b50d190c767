package com.redisproxy.fetch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.Partitions;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class ClusterSlotsTest {
  // CLUSTER NODES of a 2-master / 1-replica cluster: a owns 0-8191, b 8192-16383, c replicates a.
  private static final String BEFORE = String.join("\n",
      "aaaa 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-8191",
      "bbbb 127.0.0.1:7001@17001 master - 0 0 2 connected 8192-16383",
      "cccc 127.0.0.1:7002@17002 slave aaaa 0 0 1 connected");
  // c took over from a, which is down.
  private static final String AFTER_FAILOVER = String.join("\n",
      "aaaa 127.0.0.1:7000@17000 master,fail - 0 0 1 disconnected",
      "bbbb 127.0.0.1:7001@17001 myself,master - 0 0 2 connected 8192-16383",
      "cccc 127.0.0.1:7002@17002 master - 0 0 3 connected 0-8191");

  private static Partitions nodes(String clusterNodes) {
    return ClusterPartitionParser.parse(clusterNodes);
  }

  @Test
  void aMasterServesItsOwnSlotsAndAReplicaItsMasters() {
    BitSet master = ClusterSlots.servedBy(nodes(BEFORE), "127.0.0.1", 7001);
    assertEquals(8192, master.cardinality());
    assertTrue(master.get(8192) && master.get(16383) && !master.get(0));
    BitSet replica = ClusterSlots.servedBy(nodes(BEFORE), "127.0.0.1", 7002);
    assertEquals(8192, replica.cardinality());
    assertTrue(replica.get(0) && replica.get(8191));
  }

  @Test
  void aNodeTheTopologyDoesNotKnowCouldHaveServedAnySlot() {
    assertEquals(SlotHash.SLOT_COUNT, ClusterSlots.servedBy(nodes(BEFORE), "127.0.0.1", 7999).cardinality());
  }

  @Test
  void aFailoverMovesExactlyTheFailedMastersSlots() {
    BitSet moved = ClusterSlots.movedBetween(nodes(BEFORE), nodes(AFTER_FAILOVER));
    assertEquals(8192, moved.cardinality());
    assertTrue(moved.get(0) && moved.get(8191) && !moved.get(8192));
    assertTrue(ClusterSlots.movedBetween(nodes(BEFORE), nodes(BEFORE)).isEmpty());
  }

  @Test
  void keysInMatchesByTheKeysHashSlotHashTagsIncluded() {
    BitSet slots = new BitSet();
    slots.set(SlotHash.getSlot("user"));
    var matches = ClusterSlots.keysIn(slots);
    assertTrue(matches.test("{user}:1".getBytes(StandardCharsets.UTF_8)));
    assertTrue(SlotHash.getSlot("other") != SlotHash.getSlot("user"));
    assertFalse(matches.test("other".getBytes(StandardCharsets.UTF_8)));
  }
}
