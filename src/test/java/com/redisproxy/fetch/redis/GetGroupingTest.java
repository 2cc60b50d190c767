package com.redisproxy.fetch.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GetGroupingTest {
  @Test
  void endsForARefusalThatWillComeAgain() {
    for (String lasting : new String[] {"NOPERM this user has no permissions to run the 'mget' command",
        "CROSSSLOT Keys in request don't hash to the same slot", "ERR unknown command 'MGET', with args beginning with: "}) {
      GetGrouping grouping = GetGrouping.untilRefused();
      grouping.refused(lasting);
      assertFalse(grouping.on(), lasting);
    }
  }

  @Test
  void staysOnForARefusalThatPasses() {
    GetGrouping grouping = GetGrouping.untilRefused();
    grouping.refused("LOADING Redis is loading the dataset in memory");
    grouping.refused("BUSY Redis is busy running a script");
    assertTrue(grouping.on());
  }

  @Test
  void offIsNeverOn() {
    assertFalse(GetGrouping.OFF.on());
  }
}
