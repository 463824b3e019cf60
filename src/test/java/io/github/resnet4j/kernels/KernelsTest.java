package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import io.github.resnet4j.testing.Allocations;

@Tag("kernels")
class KernelsTest {
  /**
   * Row sums run several rows side by side and split rows across threads, but each row is still one double
   * sum in element order: the same bits as the plain loop, for row counts around the group of four and for
   * a range large enough to split.
   */
  /**
   * Per-channel sums (a convolution's bias gradient) run four channels side by side, but each channel is
   * still one double sum over images then pixels: the same bits as the plain loop, for channel counts around
   * the group of four and a batch large enough to split over threads.
   */
  @Test
  void perChannelSumsAreTheSequentialDoubleSums() {
    java.util.Random random = new java.util.Random(8);
    int[][] cases = {{1, 1, 5}, {2, 3, 7}, {3, 4, 1}, {2, 5, 33}, {4, 9, 64}, {32, 131, 256}};
    for (int[] ncs : cases) {
      int n = ncs[0];
      int c = ncs[1];
      int s = ncs[2];
      float[] x = new float[n * c * s];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
      }
      float[] out = new float[c];
      Layout.sumPerChannel(x, n, c, s, out);
      for (int ch = 0; ch < c; ch++) {
        double sum = 0;
        for (int img = 0; img < n; img++) {
          for (int i = 0; i < s; i++) {
            sum += x[(img * c + ch) * s + i];
          }
        }
        assertEquals(Float.floatToRawIntBits((float) sum), Float.floatToRawIntBits(out[ch]),
            "channel " + ch + " of " + n + " x " + c + " x " + s);
      }
    }
  }

  @Test
  void rowSumsAreTheSequentialDoubleSums() {
    java.util.Random random = new java.util.Random(7);
    int[][] cases = {{1, 5}, {3, 7}, {4, 1}, {5, 33}, {9, 1024}, {301, 1000}};
    for (int[] rc : cases) {
      int rows = rc[0];
      int len = rc[1];
      float[] x = new float[3 + rows * len];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
      }
      float[] out = new float[rows];
      Elementwise.sumRows(x, 3, rows, len, out);
      for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int i = 0; i < len; i++) {
          s += x[3 + r * len + i];
        }
        assertEquals(Float.floatToRawIntBits((float) s), Float.floatToRawIntBits(out[r]),
            "row " + r + " of " + rows + " x " + len);
      }
    }
  }

  @Test
  void activeProviderFollowsModulePresence() {
    boolean wanted = Kernels.vectorModulePresent()
        && Boolean.parseBoolean(System.getProperty("resnet4j.vector", "true"));
    assertEquals(wanted, Kernels.vectorized(), Kernels.name());
    assertFalse(Kernels.name().isBlank());
  }

  @Test
  void plainProviderIsAlwaysAvailable() {
    KernelProvider p = Kernels.plain();
    assertFalse(p.vectorized());
    assertTrue(p.mr() > 0 && p.nr() > 0);
  }

  @Test
  void vectorProviderLoadsExactlyWhenTheModuleIsPresent() {
    if (Kernels.vectorModulePresent()) {
      KernelProvider v = Kernels.vector();
      assertTrue(v.vectorized());
      assertTrue(v.name().startsWith("Vector API"));
    } else {
      assertThrows(UnsupportedOperationException.class, Kernels::vector);
    }
  }
  /**
   * Every provider's ReLU backward equals the definition {@code x > 0 ? g : +0} bit for bit, on the
   * values where a branch-free or vector version could differ: both zeros, NaNs of either sign,
   * infinities, subnormals, the largest floats, and an unaligned start with a tail.
   */
  @Test
  void reluGradMatchesItsDefinitionOnEveryValueClass() {
    float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001),
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.MIN_NORMAL, 1f, -1f};
    java.util.Random r = new java.util.Random(3);
    int n = 1000;
    float[] x = new float[n + 3];
    float[] g = new float[n + 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = i < special.length * 3 ? special[i % special.length] : (float) r.nextGaussian();
      g[i] = i % 7 == 0 ? -0f : (float) r.nextGaussian();
    }
    for (KernelProvider kp : GemmTest.providers()) {
      float[] out = new float[n + 3];
      kp.reluGrad(x, 3, g, 3, out, 1, n);
      for (int i = 0; i < n; i++) {
        float want = x[3 + i] > 0f ? g[3 + i] : 0f;
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[1 + i]),
            kp.name() + " at " + i + " for x = " + x[3 + i] + ", g = " + g[3 + i]);
      }
    }
  }

  /**
   * Until C2 compiles it, the Vector API tile allocates for every vector operation; the warm-up's job is to
   * get it compiled on tiny operands. So calls after it, spaced out to leave C2 time (up to a minute: C2
   * takes seconds over these methods on a busy 2-core machine) but too few for the JIT's own thresholds
   * (1,200 calls of depth 4), must reach a call that allocates nothing. Without the warm-up, run alone,
   * this fails.
   */
  @Test
  void afterTheWarmUpATileCallAllocatesNothing() throws InterruptedException {
    for (KernelProvider kp : GemmTest.providers()) {
      kp.warmUp();
      int kc = 4;
      float[] a = new float[kc * kp.mr()];
      float[] b = new float[kc * kp.nr()];
      float[] c = new float[kp.mr() * kp.nr()];
      long bytes = -1;
      for (int call = 0; call < 1200 && bytes != 0; call++) {
        bytes = Allocations.bytesAllocatedBy(
            () -> kp.tile(kc, a, 0, b, 0, c, 0, kp.nr(), kp.mr(), kp.nr(), false));
        if (bytes != 0) {
          Thread.sleep(50);
        }
      }
      assertEquals(0, bytes, kp.name() + ": a tile call still allocates after the warm-up");
    }
  }
}
