package com.redisproxy.fetch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule by which a read from a cluster node connection may be cached: tracking confirmed and
 * the lease held when it was sent, and still, in the same generation, when it is answered. Each
 * test plays the connection's events in the order a reconnect, a lapse or a refusal brings them.
 */
class NodeTrackingTest {

  private static ClusterNodeLeases.Stamp stamp(NodeTracking node) {
    long generation = node.heldGeneration();
    return generation == NodeTracking.NOT_HELD ? ClusterNodeLeases.Stamp.NOT_HELD
        : new ClusterNodeLeases.Stamp(true, List.of(node), new long[] {generation});
  }

  private static NodeTracking tracked() {
    NodeTracking node = new NodeTracking();
    assertTrue(node.trackingOn(node.connected()));
    return node;
  }

  @Test
  void aReadSentAndAnsweredWhileTrackingIsOnIsCached() {
    NodeTracking node = tracked();
    ClusterNodeLeases.Stamp read = stamp(node);
    assertTrue(read.stillHeld());
  }

  @Test
  void aReadOnAConnectionBackFromAReconnectIsNotCachedBeforeTrackingIsConfirmed() {
    NodeTracking node = tracked();
    node.lost();
    long episode = node.connected();
    ClusterNodeLeases.Stamp beforeTracking = stamp(node); // Lettuce reconnected, CLIENT TRACKING not answered yet
    assertTrue(node.trackingOn(episode));
    assertFalse(beforeTracking.stillHeld(), "answered after tracking went on, yet sent before: maybe not tracked");
    assertTrue(stamp(node).stillHeld(), "a read sent once tracking is on is cached");
  }

  @Test
  void aReadInFlightAcrossALossAndAReconnectIsNotCached() {
    NodeTracking node = tracked();
    ClusterNodeLeases.Stamp read = stamp(node);
    node.lost();
    assertTrue(node.trackingOn(node.connected()));
    assertFalse(read.stillHeld(), "sent before the loss, answered in a later episode");
  }

  @Test
  void aReadInFlightWhenTheLeaseLapsesIsNotCachedEvenOnceRenewed() {
    NodeTracking node = new NodeTracking();
    long episode = node.connected();
    node.trackingOn(episode);
    ClusterNodeLeases.Stamp read = stamp(node);
    assertTrue(node.lapsed(episode));
    assertEquals(ClusterNodeLeases.Stamp.NOT_HELD, stamp(node), "nothing sent during the lapse is cached");
    assertTrue(node.renewed(episode));
    assertFalse(read.stillHeld());
    assertTrue(stamp(node).stillHeld(), "held again after the renewal");
  }

  @Test
  void aConfirmationOrRenewalOfAnEpisodeThatEndedHoldsNothing() {
    NodeTracking node = new NodeTracking();
    long first = node.connected();
    node.lost();
    node.connected();
    assertFalse(node.trackingOn(first), "CLIENT TRACKING answered on the connection before the reconnect");
    assertFalse(node.renewed(first));
    assertFalse(node.held());
  }

  @Test
  void aConnectionWhoseTrackingIsRefusedIsNeverHeldByItsPings() {
    NodeTracking node = new NodeTracking();
    long episode = node.connected();
    assertFalse(node.renewed(episode), "a PONG proves the connection alive, not that Redis tracks its reads");
    assertFalse(node.held());
    assertFalse(stamp(node).stillHeld());
  }

  @Test
  void aReadFromSeveralNodesIsCachedOnlyIfEveryOneStillHolds() {
    NodeTracking master = tracked();
    NodeTracking replica = tracked();
    ClusterNodeLeases.Stamp read = new ClusterNodeLeases.Stamp(true, List.of(master, replica),
        new long[] {master.heldGeneration(), replica.heldGeneration()});
    assertTrue(read.stillHeld());
    replica.lost();
    assertFalse(read.stillHeld());
  }
}
