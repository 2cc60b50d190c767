package com.redisproxy.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.redisproxy.system.support.TestCluster;
import com.redisproxy.system.support.TestRedis;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy in front of a real 3-master / 3-replica Redis Cluster on loopback, shared by the class. */
class ClusterIT {
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.started(3, 1);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) cluster.close();
  }

  @Test
  void theClusterSplitsTheSlotsOverThreeMastersEachWithAReplica() {
    List<TestRedis> masters = cluster.masters();
    assertEquals(3, masters.size());
    for (TestRedis master : masters) {
      String key = cluster.keyOn(master, "harness-");
      cluster.set(key, "on " + master.port());
      assertEquals("on " + master.port(), new String(master.commands().get(TestRedis.bytes(key))));
      assertNotEquals(master.port(), cluster.replicaOf(master).port());
    }
  }
}
