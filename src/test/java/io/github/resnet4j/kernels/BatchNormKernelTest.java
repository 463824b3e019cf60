package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernels")
class BatchNormKernelTest {
  private static final float EPS = 1e-5f;

  private static float[] random(SplittableRandom r, int size, double offset, double scale) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) (offset + scale * (r.nextDouble() * 2 - 1));
    }
    return x;
  }

  /** Channel {@code ch}'s mean and biased variance over {@code [N, C, S]}, in double. */
  private static double[] meanAndVariance(float[] x, int n, int c, int s, int ch) {
    double mu = 0;
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < s; k++) {
        mu += x[(i * c + ch) * s + k];
      }
    }
    mu /= n * s;
    double v = 0;
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < s; k++) {
        double d = x[(i * c + ch) * s + k] - mu;
        v += d * d;
      }
    }
    return new double[] {mu, v / (n * s)};
  }

  private static void close(double want, float got, double tol, String what) {
    assertEquals(want, got, tol * (1 + Math.abs(want)), what);
  }

  @Test
  void trainForwardAndBackwardMatchDoubleFormulas() {
    SplittableRandom r = new SplittableRandom(1);
    int[][] shapes = {{4, 3, 5}, {7, 5, 1}, {2, 4, 49}};
    for (int[] sh : shapes) {
      for (boolean affine : new boolean[] {true, false}) {
        int n = sh[0];
        int c = sh[1];
        int s = sh[2];
        int m = n * s;
        // An offset mean checks the two-pass variance.
        float[] x = random(r, n * c * s, 3.0, 2.0);
        float[] dy = random(r, n * c * s, 0.1, 1.0);
        float[] gamma = affine ? random(r, c, 1.0, 0.5) : null;
        float[] beta = affine ? random(r, c, 0.0, 0.5) : null;
        float[] y = new float[x.length];
        float[] mean = new float[c];
        float[] invStd = new float[c];
        float[] var = new float[c];
        BatchNormKernel.forwardTrain(x, n, c, s, gamma, beta, EPS, y, mean, invStd, var, null, false);
        float[] dx = new float[x.length];
        float[] dGamma = new float[c];
        float[] dBeta = new float[c];
        BatchNormKernel.backwardTrain(x, dy, n, c, s, gamma, mean, invStd, dx, dGamma, dBeta);
        for (int ch = 0; ch < c; ch++) {
          double[] stats = meanAndVariance(x, n, c, s, ch);
          double mu = stats[0];
          double v = stats[1];
          double is = 1 / Math.sqrt(v + EPS);
          close(mu, mean[ch], 1e-6, "mean");
          close(v, var[ch], 1e-6, "var");
          close(is, invStd[ch], 1e-6, "invStd");
          double g = affine ? gamma[ch] : 1;
          double b = affine ? beta[ch] : 0;
          double sumDy = 0;
          double sumDyXhat = 0;
          for (int i = 0; i < n; i++) {
            for (int k = 0; k < s; k++) {
              int at = (i * c + ch) * s + k;
              double xhat = (x[at] - mu) * is;
              close(g * xhat + b, y[at], 1e-5, "y");
              sumDy += dy[at];
              sumDyXhat += dy[at] * xhat;
            }
          }
          close(sumDy, dBeta[ch], 1e-5, "dBeta");
          close(sumDyXhat, dGamma[ch], 1e-5, "dGamma");
          for (int i = 0; i < n; i++) {
            for (int k = 0; k < s; k++) {
              int at = (i * c + ch) * s + k;
              double xhat = (x[at] - mu) * is;
              double want = g * is / m * (m * dy[at] - sumDy - xhat * sumDyXhat);
              close(want, dx[at], 1e-4, "dx");
            }
          }
        }
      }
    }
  }

  @Test
  void trainBackwardMatchesFiniteDifferences() {
    // loss = sum(y * dy) through the batch statistics, in float forward, so a loose tolerance.
    SplittableRandom r = new SplittableRandom(2);
    int n = 3;
    int c = 2;
    int s = 4;
    float[] x = random(r, n * c * s, 0.5, 1.0);
    float[] dy = random(r, n * c * s, 0.0, 1.0);
    float[] gamma = random(r, c, 1.0, 0.3);
    float[] beta = random(r, c, 0.0, 0.3);
    float[] mean = new float[c];
    float[] invStd = new float[c];
    float[] dx = new float[x.length];
    float[] y = new float[x.length];
    BatchNormKernel.forwardTrain(x, n, c, s, gamma, beta, EPS, y, mean, invStd, null, null, false);
    BatchNormKernel.backwardTrain(x, dy, n, c, s, gamma, mean, invStd, dx, null, null);
    float h = 1e-2f;
    for (int i = 0; i < x.length; i++) {
      float keep = x[i];
      x[i] = keep + h;
      double up = loss(x, dy, n, c, s, gamma, beta);
      double step = x[i];
      x[i] = keep - h;
      step -= x[i];
      double down = loss(x, dy, n, c, s, gamma, beta);
      x[i] = keep;
      assertEquals((up - down) / step, dx[i], 2e-3, "dx " + i);
    }
  }

  private static double loss(float[] x, float[] dy, int n, int c, int s, float[] gamma, float[] beta) {
    float[] y = new float[x.length];
    BatchNormKernel.forwardTrain(x, n, c, s, gamma, beta, EPS, y, new float[c], new float[c], null, null, false);
    double l = 0;
    for (int i = 0; i < y.length; i++) {
      l += (double) y[i] * dy[i];
    }
    return l;
  }

  /** With a residual, each output is the plain output plus the residual, then the ReLU: the same roundings. */
  @Test
  void aResidualIsAddedBeforeTheReluInBothModes() {
    SplittableRandom r = new SplittableRandom(4);
    int n = 2;
    int c = 3;
    int s = 5;
    float[] x = random(r, n * c * s, 0.5, 2.0);
    float[] res = random(r, n * c * s, 0.0, 1.0);
    float[] gamma = random(r, c, 1.0, 0.5);
    float[] beta = random(r, c, 0.0, 0.5);
    float[] rm = random(r, c, 0.5, 0.5);
    float[] rv = random(r, c, 1.5, 0.5);
    for (boolean training : new boolean[] {true, false}) {
      float[] plain = new float[x.length];
      float[] fused = new float[x.length];
      if (training) {
        BatchNormKernel.forwardTrain(x, n, c, s, gamma, beta, EPS, plain, new float[c], new float[c], null, null,
            false);
        BatchNormKernel.forwardTrain(x, n, c, s, gamma, beta, EPS, fused, new float[c], new float[c], null, res,
            true);
      } else {
        BatchNormKernel.forwardEval(x, n, c, s, gamma, beta, rm, rv, EPS, plain, null, false);
        BatchNormKernel.forwardEval(x, n, c, s, gamma, beta, rm, rv, EPS, fused, res, true);
      }
      int clamped = 0;
      for (int i = 0; i < x.length; i++) {
        float want = Math.max(plain[i] + res[i], 0f);
        clamped += want == 0f ? 1 : 0;
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(fused[i]), "element " + i);
      }
      assertTrue(clamped > 0 && clamped < x.length, "the input must hit both sides of the ReLU");
    }
  }

  @Test
  void evalForwardAndBackwardMatchDoubleFormulas() {
    SplittableRandom r = new SplittableRandom(3);
    int n = 3;
    int c = 4;
    int s = 6;
    float[] x = random(r, n * c * s, 1.0, 2.0);
    float[] dy = random(r, n * c * s, 0.0, 1.0);
    float[] gamma = random(r, c, 1.0, 0.5);
    float[] beta = random(r, c, 0.0, 0.5);
    float[] rm = random(r, c, 1.0, 0.5);
    float[] rv = random(r, c, 1.5, 0.5);
    float[] y = new float[x.length];
    float[] dx = new float[x.length];
    float[] dGamma = new float[c];
    float[] dBeta = new float[c];
    BatchNormKernel.forwardEval(x, n, c, s, gamma, beta, rm, rv, EPS, y, null, false);
    BatchNormKernel.backwardEval(x, dy, n, c, s, gamma, rm, rv, EPS, dx, dGamma, dBeta);
    for (int ch = 0; ch < c; ch++) {
      double is = 1 / Math.sqrt((double) rv[ch] + EPS);
      double sumDy = 0;
      double sumDyXhat = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < s; k++) {
          int at = (i * c + ch) * s + k;
          double xhat = (x[at] - rm[ch]) * is;
          close(gamma[ch] * xhat + beta[ch], y[at], 1e-5, "y");
          close(dy[at] * gamma[ch] * is, dx[at], 1e-5, "dx");
          sumDy += dy[at];
          sumDyXhat += dy[at] * xhat;
        }
      }
      close(sumDy, dBeta[ch], 1e-5, "dBeta");
      close(sumDyXhat, dGamma[ch], 1e-5, "dGamma");
    }
  }

  @Test
  void resultsDoNotDependOnThreadCount() {
    int before = Parallel.threads();
    SplittableRandom r = new SplittableRandom(4);
    int n = 8;
    int c = 64;
    int s = 256;
    float[] x = random(r, n * c * s, 0.5, 1.0);
    float[] dy = random(r, n * c * s, 0.0, 1.0);
    float[][] dxs = new float[2][];
    try {
      for (int t = 1; t <= 2; t++) {
        Parallel.setThreads(t);
        float[] y = new float[x.length];
        float[] mean = new float[c];
        float[] invStd = new float[c];
        BatchNormKernel.forwardTrain(x, n, c, s, null, null, EPS, y, mean, invStd, null, null, false);
        dxs[t - 1] = new float[x.length];
        BatchNormKernel.backwardTrain(x, dy, n, c, s, null, mean, invStd, dxs[t - 1], null, null);
      }
    } finally {
      Parallel.setThreads(before);
    }
    assertArrayEquals(dxs[0], dxs[1]);
  }

  /**
   * A channel whose mean is 10^5 times its spread, over rows long enough for the eight-lane sums: the
   * two-pass variance keeps float precision.
   */
  @Test
  void varianceStaysAccurateWhenTheMeanDwarfsTheSpread() {
    SplittableRandom r = new SplittableRandom(5);
    int n = 6;
    int c = 2;
    int s = 37;
    float[] x = random(r, n * c * s, 1000.0, 0.01);
    float[] y = new float[x.length];
    float[] mean = new float[c];
    float[] invStd = new float[c];
    float[] var = new float[c];
    BatchNormKernel.forwardTrain(x, n, c, s, null, null, 0f, y, mean, invStd, var, null, false);
    for (int ch = 0; ch < c; ch++) {
      double v = meanAndVariance(x, n, c, s, ch)[1];
      assertEquals(v, var[ch], 1e-5 * v, "var of channel " + ch);
    }
  }

  /** The row sums BatchNorm is built on give the same bits on every provider, at every length and offset. */
  @Test
  void rowSumsAreTheSameOnEveryProvider() {
    SplittableRandom r = new SplittableRandom(6);
    float[] x = random(r, 100, 0.3, 2.0);
    float[] g = random(r, 100, -0.1, 1.0);
    for (KernelProvider kp : GemmTest.providers()) {
      for (int off = 0; off < 3; off++) {
        for (int len = 0; len <= 40; len++) {
          String at = kp.name() + " off " + off + " len " + len;
          assertEquals(RowSums.sum(x, off, len), kp.rowSum(x, off, len), 0.0, at);
          assertEquals(RowSums.sumSquaredDeviation(x, off, len, 0.25f), kp.rowSumSquaredDeviation(x, off, len, 0.25f),
              0.0, at);
          assertEquals(RowSums.dotCentered(g, x, off, len, 0.25f), kp.rowDotCentered(g, x, off, len, 0.25f), 0.0, at);
        }
      }
    }
  }
}
