package io.github.resnet4j.kernels;

/**
 * Batch normalisation over x viewed as {@code [N, C, S]} ({@code S = H * W}, or 1 for {@code [N, C]}):
 * statistics per channel over the {@code M = N * S} values of that channel.
 *
 * <p>Every pass walks x in memory order, row by row ({@code [S]} of one image and channel), with rows in
 * parallel: walking a channel at a time jumps {@code C * S} floats between its N rows, a new page every few
 * hundred bytes at ResNet widths, and ran at a third of a copy's speed. Per-row partial sums go into a
 * per-call table and are combined per channel in double, in row order, so results are accurate and
 * independent of the thread count. Running-statistics updates are the caller's: it gets the batch mean and
 * biased variance and applies its own momentum convention.
 */
public final class BatchNormKernel {
  private static final int GRAIN_FLOATS = 16 * 1024;

  private BatchNormKernel() {}

  /**
   * Training forward: {@code y = gamma * (x - mean) / sqrt(var + eps) + beta} with the batch mean and
   * biased batch variance per channel.
   *
   * @param x input {@code [N, C, S]}
   * @param n batch size N
   * @param c channels C
   * @param s spatial size S
   * @param gammaOrNull scale {@code [C]}, or null for 1
   * @param betaOrNull shift {@code [C]}, or null for 0
   * @param eps added to the variance
   * @param y output {@code [N, C, S]}, overwritten (may be {@code x})
   * @param saveMean receives the batch mean {@code [C]}
   * @param saveInvStd receives {@code 1 / sqrt(var + eps)} {@code [C]}
   * @param saveVarOrNull receives the biased batch variance {@code [C]} (divided by M), or null
   * @param residualOrNull {@code [N, C, S]} added to the normalised value before the ReLU (a residual block's
   *     ending, fused), or null
   * @param relu whether to apply {@code max(y, 0)} in the same pass (a fused BatchNorm+ReLU)
   */
  public static void forwardTrain(float[] x, int n, int c, int s, float[] gammaOrNull, float[] betaOrNull,
      float eps, float[] y, float[] saveMean, float[] saveInvStd, float[] saveVarOrNull, float[] residualOrNull,
      boolean relu) {
    check(x, n, c, s);
    check(y, n, c, s);
    if (residualOrNull != null) {
      check(residualOrNull, n, c, s);
    }
    int m = n * s;
    int rows = n * c;
    // Per row partial sums, then per channel: [rows] sums, [c] means, [2c] scale and shift.
    double[] part = partials(rows + 3 * c);
    int means = rows;
    int coef = rows + c;
    forRows(rows, s, (from, to) -> {
      for (int row = from; row < to; row++) {
        part[row] = Kernels.PROVIDER.rowSum(x, row * s, s);
      }
    });
    for (int ch = 0; ch < c; ch++) {
      double sum = 0;
      for (int img = 0; img < n; img++) {
        sum += part[img * c + ch];
      }
      part[means + ch] = sum / m;
    }
    // Two passes: the one-pass E[x^2] - E[x]^2 loses digits when |mean| >> std.
    forRows(rows, s, (from, to) -> {
      for (int row = from; row < to; row++) {
        part[row] = Kernels.PROVIDER.rowSumSquaredDeviation(x, row * s, s, (float) part[means + row % c]);
      }
    });
    for (int ch = 0; ch < c; ch++) {
      double sq = 0;
      for (int img = 0; img < n; img++) {
        sq += part[img * c + ch];
      }
      double mean = part[means + ch];
      double var = sq / m;
      double invStd = 1.0 / Math.sqrt(var + eps);
      saveMean[ch] = (float) mean;
      saveInvStd[ch] = (float) invStd;
      if (saveVarOrNull != null) {
        saveVarOrNull[ch] = (float) var;
      }
      double scale = (gammaOrNull == null ? 1.0 : gammaOrNull[ch]) * invStd;
      part[coef + 2 * ch] = scale;
      part[coef + 2 * ch + 1] = (betaOrNull == null ? 0.0 : betaOrNull[ch]) - mean * scale;
    }
    affineRows(x, residualOrNull, y, n, c, s, part, coef, relu);
  }

  /**
   * Inference forward: {@code y = gamma * (x - runningMean) / sqrt(runningVar + eps) + beta}.
   *
   * @param x input {@code [N, C, S]}
   * @param n batch size N
   * @param c channels C
   * @param s spatial size S
   * @param gammaOrNull scale {@code [C]}, or null for 1
   * @param betaOrNull shift {@code [C]}, or null for 0
   * @param runningMean {@code [C]}
   * @param runningVar {@code [C]}
   * @param eps added to the variance
   * @param y output {@code [N, C, S]}, overwritten (may be {@code x})
   * @param residualOrNull {@code [N, C, S]} added to the normalised value before the ReLU, or null
   * @param relu whether to apply {@code max(y, 0)} in the same pass (a fused BatchNorm+ReLU)
   */
  public static void forwardEval(float[] x, int n, int c, int s, float[] gammaOrNull, float[] betaOrNull,
      float[] runningMean, float[] runningVar, float eps, float[] y, float[] residualOrNull, boolean relu) {
    check(x, n, c, s);
    check(y, n, c, s);
    if (residualOrNull != null) {
      check(residualOrNull, n, c, s);
    }
    double[] coef = partials(2 * c);
    for (int ch = 0; ch < c; ch++) {
      double invStd = 1.0 / Math.sqrt((double) runningVar[ch] + eps);
      double scale = (gammaOrNull == null ? 1.0 : gammaOrNull[ch]) * invStd;
      coef[2 * ch] = scale;
      coef[2 * ch + 1] = (betaOrNull == null ? 0.0 : betaOrNull[ch]) - runningMean[ch] * scale;
    }
    affineRows(x, residualOrNull, y, n, c, s, coef, 0, relu);
  }

  /**
   * Training backward, through the batch statistics:
   * {@code dx = gamma * invStd / M * (M * dy - sum(dy) - xhat * sum(dy * xhat))},
   * {@code dGamma = sum(dy * xhat)}, {@code dBeta = sum(dy)}, sums per channel over N and S,
   * {@code xhat = (x - mean) * invStd}.
   *
   * @param x the forward input {@code [N, C, S]}
   * @param dy upstream gradient {@code [N, C, S]}
   * @param n batch size N
   * @param c channels C
   * @param s spatial size S
   * @param gammaOrNull scale {@code [C]}, or null for 1
   * @param saveMean the batch mean from {@link #forwardTrain}
   * @param saveInvStd the inverse std from {@link #forwardTrain}
   * @param dx receives dLoss/dx {@code [N, C, S]}, overwritten (may be {@code dy})
   * @param dGammaOrNull receives dLoss/dgamma {@code [C]}, or null
   * @param dBetaOrNull receives dLoss/dbeta {@code [C]}, or null
   */
  public static void backwardTrain(float[] x, float[] dy, int n, int c, int s, float[] gammaOrNull,
      float[] saveMean, float[] saveInvStd, float[] dx, float[] dGammaOrNull, float[] dBetaOrNull) {
    check(x, n, c, s);
    check(dy, n, c, s);
    check(dx, n, c, s);
    int m = n * s;
    int rows = n * c;
    double[] part = partials(2 * rows + 3 * c);
    dySums(x, dy, n, c, s, saveMean, part);
    int coef = 2 * rows;
    for (int ch = 0; ch < c; ch++) {
      double mean = saveMean[ch];
      double invStd = saveInvStd[ch];
      double sumDy = part[2 * ch];
      double sumDyXmu = part[2 * ch + 1];
      double sumDyXhat = sumDyXmu * invStd;
      double gamma = gammaOrNull == null ? 1.0 : gammaOrNull[ch];
      // dx = k * dy + a * x + b, expanded so the inner loop is two fmas.
      double k = gamma * invStd;
      double a = -k * invStd * sumDyXhat / m;
      part[coef + 3 * ch] = k;
      part[coef + 3 * ch + 1] = a;
      part[coef + 3 * ch + 2] = -k * sumDy / m - a * mean;
      if (dGammaOrNull != null) {
        dGammaOrNull[ch] = (float) sumDyXhat;
      }
      if (dBetaOrNull != null) {
        dBetaOrNull[ch] = (float) sumDy;
      }
    }
    forRows(rows, s, (from, to) -> {
      for (int row = from; row < to; row++) {
        int ch = row % c;
        int o = row * s;
        float kf = (float) part[coef + 3 * ch];
        float af = (float) part[coef + 3 * ch + 1];
        float bf = (float) part[coef + 3 * ch + 2];
        for (int i = 0; i < s; i++) {
          dx[o + i] = Math.fma(kf, dy[o + i], Math.fma(af, x[o + i], bf));
        }
      }
    });
  }

  /**
   * Inference backward (statistics are constants): {@code dx = dy * gamma / sqrt(runningVar + eps)},
   * {@code dGamma = sum(dy * xhat)}, {@code dBeta = sum(dy)} with
   * {@code xhat = (x - runningMean) / sqrt(runningVar + eps)}.
   *
   * @param x the forward input {@code [N, C, S]}
   * @param dy upstream gradient {@code [N, C, S]}
   * @param n batch size N
   * @param c channels C
   * @param s spatial size S
   * @param gammaOrNull scale {@code [C]}, or null for 1
   * @param runningMean {@code [C]}
   * @param runningVar {@code [C]}
   * @param eps added to the variance
   * @param dxOrNull receives dLoss/dx {@code [N, C, S]}, overwritten, or null
   * @param dGammaOrNull receives dLoss/dgamma {@code [C]}, or null
   * @param dBetaOrNull receives dLoss/dbeta {@code [C]}, or null
   */
  public static void backwardEval(float[] x, float[] dy, int n, int c, int s, float[] gammaOrNull,
      float[] runningMean, float[] runningVar, float eps, float[] dxOrNull, float[] dGammaOrNull,
      float[] dBetaOrNull) {
    check(x, n, c, s);
    check(dy, n, c, s);
    if (dxOrNull != null) {
      check(dxOrNull, n, c, s);
    }
    int rows = n * c;
    if (dGammaOrNull != null || dBetaOrNull != null) {
      double[] part = partials(2 * rows);
      dySums(x, dy, n, c, s, runningMean, part);
      for (int ch = 0; ch < c; ch++) {
        double sumDy = part[2 * ch];
        double sumDyXmu = part[2 * ch + 1];
        if (dGammaOrNull != null) {
          dGammaOrNull[ch] = (float) (sumDyXmu * (1.0 / Math.sqrt((double) runningVar[ch] + eps)));
        }
        if (dBetaOrNull != null) {
          dBetaOrNull[ch] = (float) sumDy;
        }
      }
    }
    if (dxOrNull != null) {
      forRows(rows, s, (from, to) -> {
        for (int row = from; row < to; row++) {
          int ch = row % c;
          double invStd = 1.0 / Math.sqrt((double) runningVar[ch] + eps);
          float k = (float) ((gammaOrNull == null ? 1.0 : gammaOrNull[ch]) * invStd);
          int o = row * s;
          for (int i = 0; i < s; i++) {
            dxOrNull[o + i] = k * dy[o + i];
          }
        }
      });
    }
  }

  /**
   * Per channel {@code sum(dy)} and {@code sum(dy * (x - mean[ch]))} over N and S, left in
   * {@code part[2 * ch]} and {@code part[2 * ch + 1]}: row sums in parallel into {@code part[2 * row ..]}, then
   * combined per channel in row order (channel ch's result overwrites row ch's entries, which only it reads).
   */
  private static void dySums(float[] x, float[] dy, int n, int c, int s, float[] mean, double[] part) {
    forRows(n * c, s, (from, to) -> {
      for (int row = from; row < to; row++) {
        int o = row * s;
        part[2 * row] = Kernels.PROVIDER.rowSum(dy, o, s);
        part[2 * row + 1] = Kernels.PROVIDER.rowDotCentered(dy, x, o, s, mean[row % c]);
      }
    });
    for (int ch = 0; ch < c; ch++) {
      double sumDy = 0;
      double sumDyXmu = 0;
      for (int img = 0; img < n; img++) {
        int row = img * c + ch;
        sumDy += part[2 * row];
        sumDyXmu += part[2 * row + 1];
      }
      part[2 * ch] = sumDy;
      part[2 * ch + 1] = sumDyXmu;
    }
  }

  /** {@link #affine} on every row, channel ch's scale and shift at {@code coef[off + 2 * ch]} and the next. */
  private static void affineRows(float[] x, float[] r, float[] y, int n, int c, int s, double[] coef, int off,
      boolean relu) {
    forRows(n * c, s, (from, to) -> {
      for (int row = from; row < to; row++) {
        int ch = row % c;
        affine(x, r, y, row * s, s, (float) coef[off + 2 * ch], (float) coef[off + 2 * ch + 1], relu);
      }
    });
  }

  /**
   * One row of {@code y = [relu](x * scale + shift [+ r])} at {@code o}, each step rounded as the separate ops
   * round it (fma, then the add, then the max), so the fused forms equal the unfused ones bit for bit.
   */
  private static void affine(float[] x, float[] r, float[] y, int o, int s, float scale, float shift,
      boolean relu) {
    if (r != null) {
      for (int i = 0; i < s; i++) {
        float v = Math.fma(x[o + i], scale, shift) + r[o + i];
        y[o + i] = relu ? Math.max(v, 0f) : v;
      }
    } else if (relu) {
      for (int i = 0; i < s; i++) {
        // Math.max(NaN, 0) is NaN, as torch.relu keeps NaN.
        y[o + i] = Math.max(Math.fma(x[o + i], scale, shift), 0f);
      }
    } else {
      for (int i = 0; i < s; i++) {
        y[o + i] = Math.fma(x[o + i], scale, shift);
      }
    }
  }

  /** Rows {@code [0, rows)} of {@code s} floats each, in parallel, a few thousand floats per task at least. */
  private static void forRows(int rows, int s, RangeBody body) {
    Parallel.forRange(rows, Math.max(1, GRAIN_FLOATS / s), body);
  }

  /**
   * The calling thread's table of per-row partial sums and per-channel coefficients, at least {@code size}
   * long. Workers write disjoint rows of the caller's table while it waits.
   */
  private static double[] partials(int size) {
    double[] p = PARTIALS.get();
    if (p.length < size) {
      p = new double[size];
      PARTIALS.set(p);
    }
    return p;
  }

  private static final ThreadLocal<double[]> PARTIALS = ThreadLocal.withInitial(() -> new double[0]);

  private static void check(float[] a, int n, int c, int s) {
    if (n < 1 || c < 1 || s < 1) {
      throw new IllegalArgumentException("sizes must be >= 1, got n=" + n + ", c=" + c + ", s=" + s);
    }
    if (a.length < (long) n * c * s) {
      throw new IllegalArgumentException("array of " + a.length + " floats is smaller than [" + n + ", " + c
          + ", " + s + "]");
    }
  }
}
