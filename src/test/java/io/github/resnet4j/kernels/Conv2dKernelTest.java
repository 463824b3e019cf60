package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernels")
class Conv2dKernelTest {
  /** A geometry plus whether it has a bias. */
  record Config(ConvGeometry g, boolean bias) {}

  static ConvGeometry geo(int n, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw,
      int pt, int pb, int pl, int pr, int dil, int groups) {
    return new ConvGeometry(n, cin, h, w, cout, kh, kw, sh, sw, pt, pb, pl, pr, dil, dil, groups);
  }

  static List<Config> configs() {
    return List.of(
        new Config(geo(2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), true),
        new Config(geo(2, 4, 9, 8, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 2), false),
        new Config(geo(1, 2, 8, 8, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1), true),
        new Config(geo(2, 3, 11, 10, 2, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1), false),
        new Config(geo(3, 4, 10, 9, 4, 3, 3, 1, 2, 0, 1, 2, 0, 2, 2), true),
        new Config(geo(2, 6, 5, 5, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1), true),
        new Config(geo(2, 8, 16, 17, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 2), true),
        new Config(geo(2, 4, 8, 8, 6, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1), false),
        new Config(geo(130, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), true),
        new Config(geo(2, 4, 6, 7, 4, 3, 2, 1, 3, 0, 2, 1, 1, 1, 4), true),
        // Stride 1 with rows as wide as the input's takes im2col's one-copy-per-plane path: dilated, a
        // 3x1 kernel (fewer output rows), a kernel wider than the image, asymmetric padding.
        new Config(geo(2, 3, 6, 5, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 1), false),
        new Config(geo(1, 2, 5, 6, 3, 3, 1, 1, 1, 0, 0, 0, 0, 1, 1), true),
        new Config(geo(1, 2, 2, 2, 2, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1), false),
        new Config(geo(2, 2, 6, 6, 3, 3, 3, 1, 1, 2, 0, 0, 2, 1, 1), true),
        // Stride 1 grouped, dilated and grouped, and padding wider than the dilated kernel.
        new Config(geo(2, 4, 6, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2), false),
        new Config(geo(2, 6, 7, 7, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2, 3), true),
        new Config(geo(1, 2, 4, 4, 2, 3, 3, 1, 1, 3, 3, 3, 3, 1, 1), false));
  }

  static float[] random(SplittableRandom r, int size) {
    return GemmTest.random(r, size);
  }

  static double[] refForward(ConvGeometry g, float[] x, float[] w, float[] bias) {
    double[] y = new double[g.outputSize()];
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    for (int n = 0; n < g.n; n++) {
      for (int co = 0; co < g.outChannels; co++) {
        int grp = co / coutG;
        for (int oh = 0; oh < g.outH; oh++) {
          for (int ow = 0; ow < g.outW; ow++) {
            double s = bias == null ? 0 : bias[co];
            for (int ci = 0; ci < cinG; ci++) {
              for (int kh = 0; kh < g.kernelH; kh++) {
                for (int kw = 0; kw < g.kernelW; kw++) {
                  int ih = oh * g.strideH - g.padTop + kh * g.dilationH;
                  int iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                  if (ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW) {
                    s += (double) w[((co * cinG + ci) * g.kernelH + kh) * g.kernelW + kw]
                        * x[((n * g.inChannels + grp * cinG + ci) * g.inH + ih) * g.inW + iw];
                  }
                }
              }
            }
            y[((n * g.outChannels + co) * g.outH + oh) * g.outW + ow] = s;
          }
        }
      }
    }
    return y;
  }

  /** Direct naive backward in double: returns {dx, dW, dB}. */
  static double[][] refBackward(ConvGeometry g, float[] x, float[] w, float[] dy) {
    double[] dx = new double[g.inputSize()];
    double[] dw = new double[g.weightSize()];
    double[] db = new double[g.outChannels];
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    for (int n = 0; n < g.n; n++) {
      for (int co = 0; co < g.outChannels; co++) {
        int grp = co / coutG;
        for (int oh = 0; oh < g.outH; oh++) {
          for (int ow = 0; ow < g.outW; ow++) {
            double d = dy[((n * g.outChannels + co) * g.outH + oh) * g.outW + ow];
            db[co] += d;
            for (int ci = 0; ci < cinG; ci++) {
              for (int kh = 0; kh < g.kernelH; kh++) {
                for (int kw = 0; kw < g.kernelW; kw++) {
                  int ih = oh * g.strideH - g.padTop + kh * g.dilationH;
                  int iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                  if (ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW) {
                    int wi = ((co * cinG + ci) * g.kernelH + kh) * g.kernelW + kw;
                    int xi = ((n * g.inChannels + grp * cinG + ci) * g.inH + ih) * g.inW + iw;
                    dx[xi] += w[wi] * d;
                    dw[wi] += x[xi] * d;
                  }
                }
              }
            }
          }
        }
      }
    }
    return new double[][] {dx, dw, db};
  }

  static void assertClose(double[] want, float[] got, double tol, String what) {
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i])))) {
        throw new AssertionError(what + "[" + i + "] = " + got[i] + ", want " + want[i]);
      }
    }
  }

  @Test
  void forwardMatchesDirectConvolution() {
    SplittableRandom r = new SplittableRandom(1);
    for (Config c : configs()) {
      ConvGeometry g = c.g();
      float[] x = random(r, g.inputSize());
      float[] w = random(r, g.weightSize());
      float[] b = c.bias() ? random(r, g.outChannels) : null;
      float[] y = new float[g.outputSize()];
      java.util.Arrays.fill(y, Float.NaN);
      Conv2dKernel.forward(g, x, w, b, y);
      assertClose(refForward(g, x, w, b), y, 1e-5, g.toString() + " y");
    }
  }

  @Test
  void backwardMatchesDirectBackward() {
    SplittableRandom r = new SplittableRandom(2);
    for (Config c : configs()) {
      ConvGeometry g = c.g();
      float[] x = random(r, g.inputSize());
      float[] w = random(r, g.weightSize());
      float[] dy = random(r, g.outputSize());
      float[] dx = filled(g.inputSize());
      float[] dw = filled(g.weightSize());
      float[] db = filled(g.outChannels);
      Conv2dKernel.backward(g, x, w, dy, dx, dw, db);
      double[][] want = refBackward(g, x, w, dy);
      // Float sums of n terms of size <= 1 carry errors up to ~n * 6e-8; dW and dB sum over N * outH * outW.
      int terms = g.n * g.outH * g.outW;
      assertClose(want[0], dx, 1e-5, g + " dx");
      assertClose(want[1], dw, 1e-7 * terms + 1e-5, g + " dW");
      assertClose(want[2], db, 1e-7 * terms + 1e-5, g + " dB");
      // Each gradient alone gives the same numbers.
      float[] dxOnly = filled(g.inputSize());
      Conv2dKernel.backward(g, x, w, dy, dxOnly, null, null);
      assertArrayEquals(dx, dxOnly);
      float[] dwOnly = filled(g.weightSize());
      Conv2dKernel.backward(g, x, w, dy, null, dwOnly, null);
      assertArrayEquals(dw, dwOnly);
    }
  }

  private static float[] filled(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, Float.NaN);
    return a;
  }

  @Test
  void directBackwardMatchesFiniteDifferences() {
    // Validates the reference itself: loss = sum(y * dy) in double, central differences.
    SplittableRandom r = new SplittableRandom(3);
    ConvGeometry g = geo(1, 4, 5, 6, 2, 3, 3, 2, 1, 1, 0, 2, 1, 2, 2);
    float[] x = random(r, g.inputSize());
    float[] w = random(r, g.weightSize());
    float[] b = random(r, g.outChannels);
    float[] dy = random(r, g.outputSize());
    double[][] grads = refBackward(g, x, w, dy);
    float h = 1f / 64;
    for (int i = 0; i < x.length; i++) {
      float keep = x[i];
      x[i] = keep + h;
      double step = x[i];
      double up = dot(refForward(g, x, w, b), dy);
      x[i] = keep - h;
      step -= x[i];
      double down = dot(refForward(g, x, w, b), dy);
      x[i] = keep;
      // The loss is linear in each input, so the difference quotient over the float-rounded step is exact.
      assertEquals((up - down) / step, grads[0][i], 1e-9 + 1e-9 * Math.abs(grads[0][i]), "dx " + i);
    }
    for (int i = 0; i < w.length; i++) {
      float keep = w[i];
      w[i] = keep + h;
      double step = w[i];
      double up = dot(refForward(g, x, w, b), dy);
      w[i] = keep - h;
      step -= w[i];
      double down = dot(refForward(g, x, w, b), dy);
      w[i] = keep;
      // The loss is linear in each input, so the difference quotient over the float-rounded step is exact.
      assertEquals((up - down) / step, grads[1][i], 1e-9 + 1e-9 * Math.abs(grads[1][i]), "dW " + i);
    }
  }

  private static double dot(double[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void resultsDoNotDependOnThreadCount() {
    int before = Parallel.threads();
    SplittableRandom r = new SplittableRandom(4);
    ConvGeometry g = geo(6, 16, 20, 20, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    float[] x = random(r, g.inputSize());
    float[] w = random(r, g.weightSize());
    float[] b = random(r, g.outChannels);
    float[] dy = random(r, g.outputSize());
    float[][][] out = new float[2][][];
    try {
      for (int t = 1; t <= 2; t++) {
        Parallel.setThreads(t);
        float[] y = new float[g.outputSize()];
        float[] dx = new float[g.inputSize()];
        float[] dw = new float[g.weightSize()];
        float[] db = new float[g.outChannels];
        Conv2dKernel.forward(g, x, w, b, y);
        Conv2dKernel.backward(g, x, w, dy, dx, dw, db);
        out[t - 1] = new float[][] {y, dx, dw, db};
      }
    } finally {
      Parallel.setThreads(before);
    }
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(out[0][i], out[1][i], "output " + i);
    }
  }

  @Test
  void geometryComputesOutputSizeAndRejectsNonsense() {
    ConvGeometry g = geo(8, 16, 32, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
    assertEquals(16, g.outH);
    assertEquals(16, g.outW);
    ConvGeometry d = new ConvGeometry(1, 1, 10, 9, 1, 3, 3, 1, 2, 0, 1, 2, 0, 2, 3, 1);
    assertEquals((10 + 1 - 2 * 2 - 1) / 1 + 1, d.outH);
    assertEquals((9 + 2 - 3 * 2 - 1) / 2 + 1, d.outW);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> geo(1, 6, 8, 8, 4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 4));
    assertTrue(e.getMessage().contains("groups=4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> geo(1, 1, 2, 2, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1));
    assertTrue(e.getMessage().contains("output size"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> geo(1, 1, 8, 8, 1, 3, 3, 0, 1, 0, 0, 0, 0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> geo(1, 1, 8, 8, 1, 3, 3, 1, 1, -1, 0, 0, 0, 1, 1));
    assertThrows(IllegalArgumentException.class,
        () -> Conv2dKernel.forward(g, new float[3], new float[g.weightSize()], null, new float[g.outputSize()]));
  }
}
