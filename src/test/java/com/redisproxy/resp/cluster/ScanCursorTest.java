package com.redisproxy.resp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScanCursorTest {

  @Test
  void cursorZeroStartsAtTheFirstMaster() {
    assertEquals(Optional.of(ScanCursor.START), ScanCursor.parse("0"));
  }

  @Test
  void aMastersCursorTravelsWithTheMastersNumberAndComesBackWhole() {
    String handedOut = ScanCursor.next("1234567", 2, 3).orElseThrow();
    assertEquals(Optional.of(new ScanCursor(1234567, 2)), ScanCursor.parse(handedOut));
  }

  @Test
  void aMasterThatIsDoneHandsOverToTheNextAndTheLastEndsTheScan() {
    assertEquals(Optional.of("1"), ScanCursor.next("0", 0, 3));
    assertEquals(Optional.of(new ScanCursor(0, 1)), ScanCursor.parse("1"));
    assertEquals(Optional.of("2"), ScanCursor.next("0", 1, 3));
    assertEquals(Optional.of("0"), ScanCursor.next("0", 2, 3), "after the last master, 0: the client's loop ends");
  }

  @Test
  void cursorsBeyondSixtyThreeBitsAreUnsigned() {
    long large = (1L << 53) + 5;
    String handedOut = ScanCursor.next(Long.toUnsignedString(large), 7, 8).orElseThrow();
    assertTrue(Long.compareUnsigned(Long.parseUnsignedLong(handedOut), Long.MAX_VALUE) > 0, "above 2^63: " + handedOut);
    assertEquals(Optional.of(new ScanCursor(large, 7)), ScanCursor.parse(handedOut));
  }

  @Test
  void aMastersCursorTooLargeToShareItsBitsIsRefused() {
    assertEquals(Optional.empty(), ScanCursor.next(Long.toUnsignedString(1L << 60), 0, 3));
  }

  @Test
  void whatIsNotANumberIsNoCursor() {
    assertEquals(Optional.empty(), ScanCursor.parse("abc"));
    assertEquals(Optional.empty(), ScanCursor.parse("-1"));
  }
}
