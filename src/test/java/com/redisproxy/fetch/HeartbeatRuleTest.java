package com.redisproxy.fetch;

import static com.redisproxy.fetch.HeartbeatRule.Verdict.LAPSED;
import static com.redisproxy.fetch.HeartbeatRule.Verdict.QUIET;
import static com.redisproxy.fetch.HeartbeatRule.Verdict.SILENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The lease and silence rules on a clock the test moves: lease 1000, silence limit 2000, a beat every 250. */
class HeartbeatRuleTest {
  private static final long LEASE = 1_000;
  private static final long SILENCE = 2_000;
  private static final long PERIOD = 250;
  private static final long START = 1_000_000; // nanoTime instants may be anything, negative too

  private final HeartbeatRule rule = new HeartbeatRule(START, LEASE, SILENCE, PERIOD);

  // Beats every period from (exclusive) `from` up to `to`, returning the last verdict.
  private HeartbeatRule.Verdict beatsUpTo(long from, long to) {
    HeartbeatRule.Verdict last = QUIET;
    for (long at = from + PERIOD; at <= to; at += PERIOD) {
      HeartbeatRule.Verdict verdict = rule.beat(at);
      if (verdict != QUIET) last = verdict;
    }
    return last;
  }

  @Test
  void aLeaseRenewedOnTimeNeverLapses() {
    for (long at = START + PERIOD; at <= START + 10 * LEASE; at += PERIOD) {
      assertTrue(rule.pingAnswered(at - 1, at));
      assertEquals(QUIET, rule.beat(at));
    }
  }

  @Test
  void theLeaseLapsesALeaseAfterTheLastAnsweredPingWasSentAndIsReportedOnce() {
    assertTrue(rule.pingAnswered(START + 250, START + 400));
    assertEquals(QUIET, rule.beat(START + 1_000));
    assertEquals(LAPSED, rule.beat(START + 1_250));
    assertEquals(QUIET, rule.beat(START + 1_500));
    assertTrue(rule.pingAnswered(START + 1_250, START + 1_600));
    assertEquals(LAPSED, rule.beat(START + 2_250), "lapsed again after the renewal ran out");
  }

  @Test
  void repliesOtherThanPongsDoNotRenewTheLease() {
    // a batch's replies stream in all along, but no PING written after the start is answered
    for (long at = START + 10; at <= START + 1_000; at += 10) rule.heard(at);
    assertEquals(QUIET, beatsUpTo(START, START + 750));
    assertEquals(LAPSED, rule.beat(START + 1_000));
  }

  @Test
  void aPongForAnOlderPingDoesNotMoveTheLeaseBack() {
    assertTrue(rule.pingAnswered(START + 500, START + 600));
    assertFalse(rule.pingAnswered(START + 250, START + 700), "an earlier PING's answer renews nothing");
    assertEquals(QUIET, rule.beat(START + 1_250));
    assertEquals(LAPSED, rule.beat(START + 1_500));
  }

  @Test
  void nothingHeardForTheSilenceLimitIsSilence() {
    assertEquals(LAPSED, beatsUpTo(START, START + SILENCE - PERIOD));
    assertEquals(SILENT, rule.beat(START + SILENCE));
  }

  @Test
  void repliesStillArrivingBehindABigBatchAreNotSilence() {
    // A PING written behind a batch goes unanswered for 3 s while the batch's replies are read.
    for (long at = START + PERIOD; at <= START + 3_000; at += PERIOD) {
      rule.heard(at - 1);
      assertTrue(rule.beat(at) != SILENT, "silent at " + (at - START) + " while replies were being read");
    }
    // then nothing more: silence a limit after the last reply
    assertEquals(QUIET, beatsUpTo(START + 3_000, START + 3_000 + SILENCE - PERIOD));
    assertEquals(SILENT, rule.beat(START + 3_000 + SILENCE));
  }

  @Test
  void aLateBeatDoesNotJudgeSilenceTheNextOnTimeBeatDoes() {
    assertEquals(LAPSED, beatsUpTo(START, START + 1_000));
    // the proxy stalled 3 s: its beat comes late, and what Redis sent may still be unread
    assertEquals(QUIET, rule.beat(START + 4_000));
    rule.heard(START + 4_100); // read once the event loop ran again
    assertEquals(QUIET, rule.beat(START + 4_250));
    assertEquals(SILENT, beatsUpTo(START + 4_250, START + 4_100 + SILENCE + PERIOD));
  }

  @Test
  void aLateBeatStillReportsTheLapse() {
    assertEquals(LAPSED, rule.beat(START + 5_000), "a stall never extends the lease");
  }

  @Test
  void whenNothingIsHeardAfterAStallTheNextOnTimeBeatIsSilent() {
    assertEquals(LAPSED, rule.beat(START + 5_000));
    assertEquals(SILENT, rule.beat(START + 5_250));
  }

  @Test
  void aSilenceIsConfirmedOnlyWhileNothingHasBeenHeardSince() {
    assertEquals(LAPSED, beatsUpTo(START, START + SILENCE - PERIOD));
    assertEquals(SILENT, rule.beat(START + SILENCE));
    assertTrue(rule.stillSilent(START + SILENCE + 5), "nothing read yet where the connection reads");
    rule.heard(START + SILENCE + 10); // the PONG that waited in the socket, read before the confirmation ran
    assertFalse(rule.stillSilent(START + SILENCE + 20));
  }

  @Test
  void theLapseIsReportedBeforeASilenceDueAtTheSameBeat() {
    HeartbeatRule equal = new HeartbeatRule(START, LEASE, LEASE, PERIOD); // a watch of silence only
    for (long at = START + PERIOD; at < START + LEASE; at += PERIOD) assertEquals(QUIET, equal.beat(at));
    assertEquals(LAPSED, equal.beat(START + LEASE));
    assertEquals(SILENT, equal.beat(START + LEASE + PERIOD));
  }
}
