package io.github.resnet4j.kernels;

/**
 * Sums over one contiguous row with eight independent float accumulators, combined in double: a single
 * double accumulator is a dependent chain (one add per four cycles), eight float ones keep the adder busy.
 * The order is fixed by the row alone, so results never depend on threads.
 */
final class RowSums {
  private RowSums() {}

  static double sum(float[] x, int off, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      int o = off + i;
      s0 += x[o];
      s1 += x[o + 1];
      s2 += x[o + 2];
      s3 += x[o + 3];
      s4 += x[o + 4];
      s5 += x[o + 5];
      s6 += x[o + 6];
      s7 += x[o + 7];
    }
    double s = ((double) s0 + s1) + ((double) s2 + s3) + ((double) s4 + s5) + ((double) s6 + s7);
    for (; i < len; i++) {
      s += x[off + i];
    }
    return s;
  }

  /** Sum of (x - mean)^2. */
  static double sumSquaredDeviation(float[] x, int off, int len, float mean) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      int o = off + i;
      float d0 = x[o] - mean;
      float d1 = x[o + 1] - mean;
      float d2 = x[o + 2] - mean;
      float d3 = x[o + 3] - mean;
      float d4 = x[o + 4] - mean;
      float d5 = x[o + 5] - mean;
      float d6 = x[o + 6] - mean;
      float d7 = x[o + 7] - mean;
      s0 = Math.fma(d0, d0, s0);
      s1 = Math.fma(d1, d1, s1);
      s2 = Math.fma(d2, d2, s2);
      s3 = Math.fma(d3, d3, s3);
      s4 = Math.fma(d4, d4, s4);
      s5 = Math.fma(d5, d5, s5);
      s6 = Math.fma(d6, d6, s6);
      s7 = Math.fma(d7, d7, s7);
    }
    double s = ((double) s0 + s1) + ((double) s2 + s3) + ((double) s4 + s5) + ((double) s6 + s7);
    for (; i < len; i++) {
      double d = x[off + i] - mean;
      s += d * d;
    }
    return s;
  }

  /** Sum of g * (x - mean) over a row of g and x that start at the same offset. */
  static double dotCentered(float[] g, float[] x, int off, int len, float mean) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      int o = off + i;
      s0 = Math.fma(g[o], x[o] - mean, s0);
      s1 = Math.fma(g[o + 1], x[o + 1] - mean, s1);
      s2 = Math.fma(g[o + 2], x[o + 2] - mean, s2);
      s3 = Math.fma(g[o + 3], x[o + 3] - mean, s3);
      s4 = Math.fma(g[o + 4], x[o + 4] - mean, s4);
      s5 = Math.fma(g[o + 5], x[o + 5] - mean, s5);
      s6 = Math.fma(g[o + 6], x[o + 6] - mean, s6);
      s7 = Math.fma(g[o + 7], x[o + 7] - mean, s7);
    }
    double s = ((double) s0 + s1) + ((double) s2 + s3) + ((double) s4 + s5) + ((double) s6 + s7);
    for (; i < len; i++) {
      s += (double) g[off + i] * (x[off + i] - mean);
    }
    return s;
  }
}
