package io.github.resnet4j.kernels;

/** Placeholder batch-norm loops (replaced by the kernels branch). */
public final class BatchNormKernel {
  private BatchNormKernel() {}

  public static void forwardTrain(float[] x, int n, int c, int s, float[] gamma, float[] beta, float eps,
      float[] y, float[] saveMean, float[] saveInvStd, float[] saveVar) {
    int m = n * s;
    for (int ch = 0; ch < c; ch++) {
      double sum = 0, sq = 0;
      for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) sum += x[(i * c + ch) * s + j];
      double mean = sum / m;
      for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) { double d = x[(i * c + ch) * s + j] - mean; sq += d * d; }
      double var = sq / m;
      double inv = 1.0 / Math.sqrt(var + eps);
      saveMean[ch] = (float) mean; saveVar[ch] = (float) var; saveInvStd[ch] = (float) inv;
      float gm = gamma == null ? 1f : gamma[ch], bt = beta == null ? 0f : beta[ch];
      for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) {
        int k = (i * c + ch) * s + j;
        y[k] = (float) ((x[k] - mean) * inv * gm + bt);
      }
    }
  }

  public static void forwardEval(float[] x, int n, int c, int s, float[] gamma, float[] beta,
      float[] runningMean, float[] runningVar, float eps, float[] y) {
    for (int ch = 0; ch < c; ch++) {
      double inv = 1.0 / Math.sqrt(runningVar[ch] + (double) eps);
      float gm = gamma == null ? 1f : gamma[ch], bt = beta == null ? 0f : beta[ch];
      for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) {
        int k = (i * c + ch) * s + j;
        y[k] = (float) ((x[k] - runningMean[ch]) * inv * gm + bt);
      }
    }
  }

  public static void backwardTrain(float[] x, float[] dy, int n, int c, int s, float[] gamma,
      float[] saveMean, float[] saveInvStd, float[] dx, float[] dGamma, float[] dBeta) {
    int m = n * s;
    for (int ch = 0; ch < c; ch++) {
      double sdy = 0, sdyx = 0;
      for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) {
        int k = (i * c + ch) * s + j;
        double xh = (x[k] - saveMean[ch]) * saveInvStd[ch];
        sdy += dy[k]; sdyx += dy[k] * xh;
      }
      if (dGamma != null) dGamma[ch] = (float) sdyx;
      if (dBeta != null) dBeta[ch] = (float) sdy;
      double gm = gamma == null ? 1 : gamma[ch];
      for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) {
        int k = (i * c + ch) * s + j;
        double xh = (x[k] - saveMean[ch]) * saveInvStd[ch];
        dx[k] = (float) (gm * saveInvStd[ch] / m * (m * dy[k] - sdy - xh * sdyx));
      }
    }
  }

  public static void backwardEval(float[] x, float[] dy, int n, int c, int s, float[] gamma,
      float[] runningMean, float[] runningVar, float eps, float[] dx, float[] dGamma, float[] dBeta) {
    for (int ch = 0; ch < c; ch++) {
      double inv = 1.0 / Math.sqrt(runningVar[ch] + (double) eps);
      double gm = gamma == null ? 1 : gamma[ch];
      double sdy = 0, sdyx = 0;
      for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) {
        int k = (i * c + ch) * s + j;
        sdy += dy[k]; sdyx += dy[k] * (x[k] - runningMean[ch]) * inv;
        if (dx != null) dx[k] = (float) (dy[k] * gm * inv);
      }
      if (dGamma != null) dGamma[ch] = (float) sdyx;
      if (dBeta != null) dBeta[ch] = (float) sdy;
    }
  }
}
