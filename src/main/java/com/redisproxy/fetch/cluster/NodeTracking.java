package com.redisproxy.fetch.cluster;

/**
 * Whether what one cluster node connection reads may be cached: only while tracking is confirmed
 * on it and its lease is held. Lettuce reconnects a node connection by itself, and a read on it
 * before CLIENT TRACKING is answered again is not tracked: Redis would never invalidate it.
 *
 * <p>An <em>episode</em> is one stretch of the connection being up; the <em>generation</em> moves
 * on whenever the connection may have missed an invalidation (it came up, went down, or its lease
 * lapsed). A read takes a {@link #heldGeneration} when it is sent, and its value is cached only if
 * {@link #stillHeld} that generation when it is answered: so nothing read before tracking was
 * confirmed, or across a loss, is ever cached.
 */
final class NodeTracking {
  /** What {@link #heldGeneration} answers while tracking is not confirmed or the lease not held. */
  static final long NOT_HELD = -1;

  private long episode;
  private long generation;
  private boolean trackingOn;
  private boolean held;

  /** The connection is up (again): a new episode, tracking not on yet. Returns the episode. */
  synchronized long connected() {
    return newEpisode();
  }

  /** The connection is down, or given up: nothing of the current episode holds any more. */
  synchronized void lost() {
    newEpisode();
  }

  /** CLIENT TRACKING was answered in {@code episode}; false if that episode is over. */
  synchronized boolean trackingOn(long episode) {
    if (episode != this.episode) return false;
    trackingOn = held = true;
    return true;
  }

  /** The lease lapsed in {@code episode}: reads in flight are not cached, until a renewal. */
  synchronized boolean lapsed(long episode) {
    if (episode != this.episode || !held) return false;
    generation++;
    held = false;
    return true;
  }

  /** A PING of {@code episode} was answered: held again if tracking is on; false if not. */
  synchronized boolean renewed(long episode) {
    if (episode != this.episode || !trackingOn) return false;
    held = true;
    return true;
  }

  synchronized boolean held() {
    return held;
  }

  /** The generation a read sent now carries, or {@link #NOT_HELD}. */
  synchronized long heldGeneration() {
    return held ? generation : NOT_HELD;
  }

  /** True when {@code generation} is still the current one, and held. */
  synchronized boolean stillHeld(long generation) {
    return held && generation == this.generation;
  }

  private long newEpisode() {
    episode++;
    generation++;
    trackingOn = held = false;
    return episode;
  }
}
