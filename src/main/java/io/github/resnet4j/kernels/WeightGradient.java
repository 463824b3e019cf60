package io.github.resnet4j.kernels;

/**
 * A convolution's weight gradient for few output channels: {@code dW [Cout, kg] (+)= dY [Cout, ld] *
 * cols^T}, computed as its transpose {@code cols [kg, ld] * dY^T} with the tile reading cols' rows in place
 * ({@link KernelProvider#tileStridedA}) and only the small dY packed.
 *
 * <p>Why: with 16 output channels the GEMM's three row panels share each packed panel of cols^T, so
 * transposing the megabyte-sized column matrix cost more than the multiply (the whole product ran at 10-17
 * GFLOP/s on one core; this way 28). The products and their order per element are the GEMM's (the same
 * depth blocks, each element's chain continued from its previous value), so the bits are the same.
 */
final class WeightGradient {
  /** Up to this many output channels per group the transposed product wins (measured: 16 and 32 yes, 64 no). */
  static final int MAX_CHANNELS = 32;

  private WeightGradient() {}

  /**
   * {@code dW[co][p] = (accumulate ? dW[co][p] : 0) + sum over j of dY[co][j] * cols[p][j]}, j in depth
   * blocks of {@link BlockedGemm#KC} as {@link Gemm#sgemm} orders them.
   *
   * @param kp the kernels
   * @param cout output channels (rows of dY and dW), at most {@link #MAX_CHANNELS}
   * @param kg rows of cols (columns of dW)
   * @param ld the depth: columns of dY and cols
   * @param dy dY's array, {@code [cout, ld]} with row stride ld
   * @param dyOff its first element
   * @param cols the column matrix, {@code [kg, ld]} with row stride ld
   * @param colsOff its first element
   * @param accumulate whether to add to dW
   * @param dW dW's array, {@code [cout, kg]} with row stride kg
   * @param dwOff its first element
   */
  static void run(KernelProvider kp, int cout, int kg, int ld, float[] dy, int dyOff, float[] cols, int colsOff,
      boolean accumulate, float[] dW, int dwOff) {
    int mr = kp.mr();
    int nr = kp.nr();
    int bPanels = (cout + nr - 1) / nr;
    int ldt = bPanels * nr;
    // dY^T packed depth block by depth block: block pc, panel q at pc * ldt + q * nr * kc.
    float[] bp = Scratch.get(Scratch.GEMM_B, ld * ldt);
    for (int pc = 0; pc < ld; pc += BlockedGemm.KC) {
      int kc = Math.min(BlockedGemm.KC, ld - pc);
      for (int q = 0; q < bPanels; q++) {
        Packing.packB(true, dy, dyOff, ld, q * nr, Math.min(nr, cout - q * nr), pc, kc, nr, true, bp,
            pc * ldt + q * nr * kc);
      }
    }
    // dW^T [kg, ldt], holding dW's current values where the sum continues from them.
    float[] t = Scratch.get(Scratch.GRAD_T, kg * ldt);
    if (accumulate) {
      transpose(dW, dwOff, kg, cout, kg, t, 0, ldt);
    }
    int aPanels = (kg + mr - 1) / mr;
    if (Parallel.splits(aPanels, 1)) {
      Parallel.forRange(aPanels, 1, (from, to) ->
          rows(kp, from, to, cout, kg, ld, bp, cols, colsOff, accumulate, t, ldt));
    } else {
      rows(kp, 0, aPanels, cout, kg, ld, bp, cols, colsOff, accumulate, t, ldt);
    }
    transpose(t, 0, ldt, kg, cout, dW, dwOff, kg);
  }

  /** {@code dst[j * ldDst + i] = src[i * ldSrc + j]} for a {@code [rows, cols]} block of src. */
  private static void transpose(float[] src, int srcOff, int ldSrc, int rows, int cols, float[] dst, int dstOff,
      int ldDst) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        dst[dstOff + j * ldDst + i] = src[srcOff + i * ldSrc + j];
      }
    }
  }

  /** Row panels {@code [from, to)} of dW^T. */
  private static void rows(KernelProvider kp, int from, int to, int cout, int kg, int ld, float[] bp, float[] cols,
      int colsOff, boolean accumulate, float[] t, int ldt) {
    int mr = kp.mr();
    int nr = kp.nr();
    int bPanels = ldt / nr;
    for (int qa = from; qa < to; qa++) {
      int r = qa * mr;
      int rows = Math.min(mr, kg - r);
      for (int pc = 0; pc < ld; pc += BlockedGemm.KC) {
        int kc = Math.min(BlockedGemm.KC, ld - pc);
        for (int q = 0; q < bPanels; q++) {
          kp.tileStridedA(kc, cols, colsOff + r * ld + pc, ld, bp, pc * ldt + q * nr * kc, t, r * ldt + q * nr,
              ldt, rows, Math.min(nr, cout - q * nr), accumulate || pc > 0);
        }
      }
    }
  }
}
