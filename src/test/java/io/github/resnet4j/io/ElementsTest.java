package io.github.resnet4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Bit-exact checks of the half, bfloat16 and float8 conversions. */
class ElementsTest {
  @Test
  void halfKnownValues() {
    assertEquals(0x3c00, Elements.floatToHalf(1f));
    assertEquals(0xc000, Elements.floatToHalf(-2f));
    assertEquals(0x7bff, Elements.floatToHalf(65504f));
    assertEquals(0x7bff, Elements.floatToHalf(65519.99f));
    assertEquals(0x7c00, Elements.floatToHalf(65520f)); // the tie rounds to even: infinity
    assertEquals(0xfc00, Elements.floatToHalf(Float.NEGATIVE_INFINITY));
    assertEquals(0x0001, Elements.floatToHalf(0x1p-24f));
    assertEquals(0x0000, Elements.floatToHalf(0x1p-25f)); // tie to even: zero
    assertEquals(0x0002, Elements.floatToHalf(0x1.8p-24f)); // tie to even: 2
    assertEquals(0x0400, Elements.floatToHalf(0x1p-14f));
    assertEquals(0x8000, Elements.floatToHalf(-0f));
    assertEquals(0x3c00, Elements.floatToHalf(1 + 0x1p-11f)); // tie, 1.0 is even
    assertEquals(0x3c02, Elements.floatToHalf(1 + 0x3p-11f)); // tie, rounds up to even
    assertTrue(Float.isNaN(Elements.halfToFloat(Elements.floatToHalf(Float.NaN))));
    assertEquals(65504f, Elements.halfToFloat(0x7bff));
    assertEquals(-0x1p-24f, Elements.halfToFloat(0x8001));
  }

  @Test
  void everyHalfRoundTripsExactly() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Elements.halfToFloat(h);
      if (Float.isNaN(f)) {
        assertTrue((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0);
        continue;
      }
      assertEquals(h, Elements.floatToHalf(f), "half 0x" + Integer.toHexString(h));
    }
  }

  @Test
  void bfloat16RoundsToNearestEven() {
    assertEquals(0x3f80, Elements.floatToBfloat16(1f));
    assertEquals(0x3f80, Elements.floatToBfloat16(Float.intBitsToFloat(0x3f808000))); // tie to even
    assertEquals(0x3f82, Elements.floatToBfloat16(Float.intBitsToFloat(0x3f818000))); // tie up to even
    assertEquals(0x3f81, Elements.floatToBfloat16(Float.intBitsToFloat(0x3f808001)));
    assertEquals(0x7f80, Elements.floatToBfloat16(Float.MAX_VALUE));
    assertTrue((Elements.floatToBfloat16(Float.NaN) & 0x7f) != 0
        || (Elements.floatToBfloat16(Float.NaN) & 0x7f80) == 0x7f80);
    for (int b = 0; b < 0x10000; b++) {
      float f = Float.intBitsToFloat(b << 16);
      if (!Float.isNaN(f)) {
        assertEquals(b, Elements.floatToBfloat16(f));
      }
    }
  }

  @Test
  void float8() {
    assertEquals(1f, Elements.e4m3ToFloat(0x38));
    assertEquals(448f, Elements.e4m3ToFloat(0x7e));
    assertEquals(-448f, Elements.e4m3ToFloat(0xfe));
    assertTrue(Float.isNaN(Elements.e4m3ToFloat(0x7f)));
    assertEquals(0x1p-9f, Elements.e4m3ToFloat(0x01));
    assertEquals(0x1.cp-7f, Elements.e4m3ToFloat(0x07)); // largest subnormal: 7/8 * 2^-6
    assertEquals(0x1p-6f, Elements.e4m3ToFloat(0x08));
    assertEquals(1f, Elements.halfToFloat(0x3c << 8)); // E5M2 is the top byte of a half
    assertEquals(57344f, Elements.halfToFloat(0x7b << 8));
  }
}
