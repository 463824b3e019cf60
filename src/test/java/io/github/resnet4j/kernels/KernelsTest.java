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
   * A convolution's epilogue (bias, residual, ReLU in any combination) gives, on every provider, the bits of
   * the separate ops in that order, on runs around the vector length and values where rounding order and
   * Math.max show: NaN, signed zeros, infinities, subnormals; elements outside the run stay as they were.
   */
  @Test
  void convEpilogueIsTheSeparateOpsOnEveryProvider() {
    java.util.Random random = new java.util.Random(9);
    float[] special = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
        -Float.MIN_VALUE, 1e-39f, -1e-39f, 1f, -1f};
    for (KernelProvider kp : GemmTest.providers()) {
      for (int n : new int[] {1, 7, 15, 16, 17, 33, 67, 200}) {
        for (int mode = 0; mode < 16; mode++) {
          boolean addBias = (mode & 1) != 0;
          boolean withResidual = (mode & 2) != 0;
          boolean relu = (mode & 4) != 0; // modes 8-15 repeat 0-7 on other values
          int off = 3;
          float[] y = new float[off + n + 2];
          float[] r = new float[y.length];
          for (int i = 0; i < y.length; i++) {
            y[i] = random.nextInt(3) == 0 ? special[random.nextInt(special.length)] : (float) random.nextGaussian();
            r[i] = random.nextInt(3) == 0 ? special[random.nextInt(special.length)] : (float) random.nextGaussian();
          }
          float bias = random.nextInt(3) == 0 ? special[random.nextInt(special.length)]
              : (float) (random.nextGaussian() * 10);
          float[] expected = y.clone();
          for (int i = off; i < off + n; i++) {
            float v = expected[i];
            if (addBias) {
              v = v + bias;
            }
            if (withResidual) {
              v = v + r[i];
            }
            expected[i] = relu ? Math.max(v, 0f) : v;
          }
          kp.convEpilogue(y, off, n, addBias, bias, withResidual ? r : null, relu);
          for (int i = 0; i < y.length; i++) {
            // floatToIntBits: any NaN is the same NaN (Java leaves a NaN's bits to the hardware), but -0 is not +0.
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(y[i]),
                kp.name() + " n=" + n + " mode=" + mode + " at " + i);
          }
        }
      }
    }
  }

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

  /**
   * Row sums run several rows side by side and split rows across threads, but each row is still one double
   * sum in element order: the same bits as the plain loop, for row counts around the group of four and for
   * a range large enough to split.
   */
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
