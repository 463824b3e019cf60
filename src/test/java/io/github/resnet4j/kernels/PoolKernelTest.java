package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernels")
class PoolKernelTest {
  /** kH, kW, sH, sW, padH, padW. */
  private static final int[][] WINDOWS = {{2, 2, 2, 2, 0, 0}, {3, 3, 2, 2, 1, 1}, {3, 2, 1, 2, 1, 0}, {5, 3, 3, 1, 2, 1}};

  @Test
  void maxPoolMatchesDirectLoops() {
    SplittableRandom r = new SplittableRandom(1);
    int n = 2;
    int c = 3;
    int h = 9;
    int w = 8;
    for (int[] p : WINDOWS) {
      float[] x = GemmTest.random(r, n * c * h * w);
      int oh = PoolKernel.outSize(h, p[0], p[2], p[4]);
      int ow = PoolKernel.outSize(w, p[1], p[3], p[5]);
      float[] y = new float[n * c * oh * ow];
      int[] arg = new int[y.length];
      PoolKernel.maxPool2dForward(x, n, c, h, w, p[0], p[1], p[2], p[3], p[4], p[5], y, arg);
      float[] dy = GemmTest.random(r, y.length);
      float[] dx = new float[x.length];
      java.util.Arrays.fill(dx, Float.NaN);
      PoolKernel.maxPool2dBackward(dy, arg, n, c, h, w, oh, ow, dx);
      double[] wantDx = new double[x.length];
      for (int pl = 0; pl < n * c; pl++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            float best = Float.NEGATIVE_INFINITY;
            int at = -1;
            for (int a = 0; a < p[0]; a++) {
              for (int b = 0; b < p[1]; b++) {
                int ih = i * p[2] - p[4] + a;
                int iw = j * p[3] - p[5] + b;
                if (ih >= 0 && ih < h && iw >= 0 && iw < w && x[pl * h * w + ih * w + iw] > best) {
                  best = x[pl * h * w + ih * w + iw];
                  at = pl * h * w + ih * w + iw;
                }
              }
            }
            int o = pl * oh * ow + i * ow + j;
            assertEquals(best, y[o]);
            assertEquals(at, arg[o]);
            wantDx[at] += dy[o];
          }
        }
      }
      for (int i = 0; i < x.length; i++) {
        assertEquals(wantDx[i], dx[i], 1e-6);
      }
    }
  }

  /**
   * Ties, -infinity and NaN: values drawn from {0, 1, 2} (after a ReLU, maxima repeat), some -infinity and a
   * few NaN. Each output and index must be the first maximum in row-major window order, or the first NaN,
   * exactly as a scan of the window finds them (and as PyTorch's CPU kernel does).
   */
  @Test
  void maxPoolBreaksTiesInRowMajorOrderAndFindsTheFirstNaN() {
    SplittableRandom r = new SplittableRandom(3);
    int n = 2;
    int c = 2;
    int h = 11;
    int w = 10;
    for (int[] p : WINDOWS) {
      for (int round = 0; round < 4; round++) {
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
          int k = r.nextInt(40);
          x[i] = k == 0 ? Float.NaN : k < 4 ? Float.NEGATIVE_INFINITY : k < 6 ? -0f : r.nextInt(3);
        }
        if (round == 0) {
          java.util.Arrays.fill(x, 0, h * w, Float.NEGATIVE_INFINITY);
        }
        int oh = PoolKernel.outSize(h, p[0], p[2], p[4]);
        int ow = PoolKernel.outSize(w, p[1], p[3], p[5]);
        float[] y = new float[n * c * oh * ow];
        int[] arg = new int[y.length];
        PoolKernel.maxPool2dForward(x, n, c, h, w, p[0], p[1], p[2], p[3], p[4], p[5], y, arg);
        for (int pl = 0; pl < n * c; pl++) {
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              float best = Float.NEGATIVE_INFINITY;
              int at = -1;
              scan:
              for (int a = 0; a < p[0]; a++) {
                for (int b = 0; b < p[1]; b++) {
                  int ih = i * p[2] - p[4] + a;
                  int iw = j * p[3] - p[5] + b;
                  if (ih < 0 || ih >= h || iw < 0 || iw >= w) {
                    continue;
                  }
                  int e = pl * h * w + ih * w + iw;
                  if (at < 0 || x[e] > best || Float.isNaN(x[e])) {
                    best = x[e];
                    at = e;
                    if (Float.isNaN(x[e])) {
                      break scan;
                    }
                  }
                }
              }
              int o = pl * oh * ow + i * ow + j;
              String where = java.util.Arrays.toString(p) + " round " + round + " output " + o;
              assertEquals(Float.floatToRawIntBits(best), Float.floatToRawIntBits(y[o]), where);
              assertEquals(at, arg[o], where);
            }
          }
        }
      }
    }
  }

  /**
   * The inference kernel (no indices; row maxima, then maxima over rows, vectorized) gives the scan's values
   * bit for bit on every provider: ties among 0, -0, 1 and 2, -infinity, NaNs with different payloads (the
   * first one must win), whole planes of -infinity, and rows wide enough for full vectors and their tails.
   */
  @Test
  void valuesWithoutIndicesEqualTheScanBitForBit() {
    SplittableRandom r = new SplittableRandom(4);
    int n = 2;
    int c = 3;
    for (int[] size : new int[][] {{11, 10}, {13, 37}, {9, 70}}) {
      int h = size[0];
      int w = size[1];
      for (int[] p : WINDOWS) {
        for (int round = 0; round < 3; round++) {
          float[] x = new float[n * c * h * w];
          for (int i = 0; i < x.length; i++) {
            int k = r.nextInt(40);
            x[i] = k == 0 ? Float.intBitsToFloat(0x7fc00000 + r.nextInt(1 << 16)) // NaNs told apart by payload
                : k < 4 ? Float.NEGATIVE_INFINITY : k < 12 ? -0f : r.nextInt(3);
          }
          if (round == 0) {
            java.util.Arrays.fill(x, 0, h * w, Float.NEGATIVE_INFINITY);
          }
          int oh = PoolKernel.outSize(h, p[0], p[2], p[4]);
          int ow = PoolKernel.outSize(w, p[1], p[3], p[5]);
          float[] expected = new float[n * c * oh * ow];
          PoolKernel.maxPool2dForward(x, n, c, h, w, p[0], p[1], p[2], p[3], p[4], p[5], expected,
              new int[expected.length]);
          for (KernelProvider kp : GemmTest.providers()) {
            float[] y = new float[expected.length];
            java.util.Arrays.fill(y, 7f);
            // The separable form on both providers (plain Java itself takes the scan, which is slower there).
            PoolKernel.rowsThenColumns(kp, x, n, c, h, w, p[0], p[1], p[2], p[3], p[4], p[5], y);
            for (int o = 0; o < y.length; o++) {
              assertEquals(Float.floatToRawIntBits(expected[o]), Float.floatToRawIntBits(y[o]),
                  kp.name() + " " + java.util.Arrays.toString(p) + " " + h + "x" + w + " output " + o + ": "
                      + expected[o] + " vs " + y[o]);
            }
          }
          float[] viaEntry = new float[expected.length];
          PoolKernel.maxPool2dValues(x, n, c, h, w, p[0], p[1], p[2], p[3], p[4], p[5], viaEntry);
          for (int o = 0; o < viaEntry.length; o++) {
            assertEquals(Float.floatToRawIntBits(expected[o]), Float.floatToRawIntBits(viaEntry[o]), "output " + o);
          }
        }
      }
    }
  }

  @Test
  void maxPoolPropagatesNan() {
    float[] x = {1, Float.NaN, 3, 4};
    float[] y = new float[1];
    int[] arg = new int[1];
    PoolKernel.maxPool2dForward(x, 1, 1, 2, 2, 2, 2, 2, 2, 0, 0, y, arg);
    assertTrue(Float.isNaN(y[0]));
    assertEquals(1, arg[0]);
  }

  @Test
  void avgPoolMatchesDirectLoops() {
    SplittableRandom r = new SplittableRandom(2);
    int n = 2;
    int c = 2;
    int h = 7;
    int w = 9;
    for (int[] p : WINDOWS) {
      for (boolean include : new boolean[] {true, false}) {
        float[] x = GemmTest.random(r, n * c * h * w);
        int oh = PoolKernel.outSize(h, p[0], p[2], p[4]);
        int ow = PoolKernel.outSize(w, p[1], p[3], p[5]);
        float[] y = new float[n * c * oh * ow];
        PoolKernel.avgPool2dForward(x, n, c, h, w, p[0], p[1], p[2], p[3], p[4], p[5], include, y);
        float[] dy = GemmTest.random(r, y.length);
        float[] dx = new float[x.length];
        java.util.Arrays.fill(dx, Float.NaN);
        PoolKernel.avgPool2dBackward(dy, n, c, h, w, p[0], p[1], p[2], p[3], p[4], p[5], include, dx);
        double[] wantDx = new double[x.length];
        for (int pl = 0; pl < n * c; pl++) {
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              double sum = 0;
              int count = 0;
              for (int a = 0; a < p[0]; a++) {
                for (int b = 0; b < p[1]; b++) {
                  int ih = i * p[2] - p[4] + a;
                  int iw = j * p[3] - p[5] + b;
                  if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                    sum += x[pl * h * w + ih * w + iw];
                    count++;
                  }
                }
              }
              int div = include ? p[0] * p[1] : count;
              int o = pl * oh * ow + i * ow + j;
              assertEquals(sum / div, y[o], 1e-6);
              for (int a = 0; a < p[0]; a++) {
                for (int b = 0; b < p[1]; b++) {
                  int ih = i * p[2] - p[4] + a;
                  int iw = j * p[3] - p[5] + b;
                  if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                    wantDx[pl * h * w + ih * w + iw] += dy[o] / div;
                  }
                }
              }
            }
          }
        }
        for (int i = 0; i < x.length; i++) {
          assertEquals(wantDx[i], dx[i], 1e-6);
        }
      }
    }
  }

  @Test
  void globalAvgPoolMatchesDirectLoops() {
    SplittableRandom r = new SplittableRandom(3);
    int n = 3;
    int c = 4;
    int s = 49;
    float[] x = GemmTest.random(r, n * c * s);
    float[] y = new float[n * c];
    PoolKernel.globalAvgPoolForward(x, n, c, s, y);
    float[] dy = GemmTest.random(r, n * c);
    float[] dx = new float[x.length];
    PoolKernel.globalAvgPoolBackward(dy, n, c, s, dx);
    for (int pl = 0; pl < n * c; pl++) {
      double sum = 0;
      for (int i = 0; i < s; i++) {
        sum += x[pl * s + i];
        assertEquals(dy[pl] / s, dx[pl * s + i], 1e-7);
      }
      assertEquals(sum / s, y[pl], 1e-6);
    }
  }

  @Test
  void outSizeFollowsFloorModeAndRejectsBadWindows() {
    assertEquals(16, PoolKernel.outSize(32, 3, 2, 1));
    assertEquals(56, PoolKernel.outSize(112, 3, 2, 1));
    assertEquals(3, PoolKernel.outSize(7, 2, 2, 0));
    assertThrows(IllegalArgumentException.class, () -> PoolKernel.outSize(7, 3, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> PoolKernel.outSize(2, 3, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> PoolKernel.outSize(5, 0, 1, 0));
  }
}
