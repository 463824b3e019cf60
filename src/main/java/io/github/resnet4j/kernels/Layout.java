package io.github.resnet4j.kernels;

/**
 * Reshuffles between the batch layout {@code [N, C, S]} and a chunk's GEMM layout
 * {@code [C, nb, S]}, plus the per-channel bias and sums over {@code [N, C, S]}.
 */
final class Layout {
  private static final int GRAIN_FLOATS = 16 * 1024;

  private Layout() {}

  /** Copies {@code chunk [C, nb, S]} into images {@code [n0, n0 + nb)} of {@code batch [N, C, S]}. */
  static void chunkToBatch(float[] chunk, int c, int s, int n0, int nb, float[] batch) {
    copyPlanes(false, batch, c, s, n0, nb, chunk);
  }

  /** Copies images {@code [n0, n0 + nb)} of {@code batch [N, C, S]} into {@code chunk [C, nb, S]}. */
  static void batchToChunk(float[] batch, int c, int s, int n0, int nb, float[] chunk) {
    copyPlanes(true, batch, c, s, n0, nb, chunk);
  }

  private static void copyPlanes(boolean toChunk, float[] batch, int c, int s, int n0, int nb, float[] chunk) {
    // Serially without a lambda when the loop will not split: the convolutions call this per chunk of images.
    if (Parallel.splits(nb * c, grain(s))) {
      Parallel.forRange(nb * c, grain(s), (from, to) -> copyPlanes(toChunk, batch, c, s, n0, nb, chunk, from, to));
    } else {
      copyPlanes(toChunk, batch, c, s, n0, nb, chunk, 0, nb * c);
    }
  }

  /** Copies planes {@code [from, to)}, plane {@code img * c + ch}, one way or the other. */
  private static void copyPlanes(boolean toChunk, float[] batch, int c, int s, int n0, int nb, float[] chunk,
      int from, int to) {
    for (int u = from; u < to; u++) {
      int img = u / c;
      int ch = u % c;
      int inBatch = ((n0 + img) * c + ch) * s;
      int inChunk = (ch * nb + img) * s;
      if (toChunk) {
        System.arraycopy(batch, inBatch, chunk, inChunk, s);
      } else {
        System.arraycopy(chunk, inChunk, batch, inBatch, s);
      }
    }
  }

  /**
   * {@code out[ch] = sum over n and s of x[n, ch, s]}, in double, in a fixed order: each channel's sum is one
   * chain of additions in element order ({@link Elementwise#sumSegmentedRows}: four channels' chains side by
   * side; one chain at a time waited out each addition's latency, and a convolution's bias gradient took a
   * twentieth of the seed model's training step).
   */
  static void sumPerChannel(float[] x, int n, int c, int s, float[] out) {
    Parallel.forRange(c, Math.max(1, GRAIN_FLOATS / Math.max(1, n * s)),
        (from, to) -> Elementwise.sumSegmentedRows(x, 0, s, n, c * s, s, out, from, to));
  }

  private static int grain(int s) {
    return Math.max(1, GRAIN_FLOATS / Math.max(1, s));
  }
}
