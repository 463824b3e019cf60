package io.github.resnet4j.kernels;

/**
 * The few loops that differ between the Vector API and plain Java; everything else is shared.
 *
 * <p>Every implementation computes each C element as the same chain of {@code Math.fma} calls over
 * the K dimension in increasing order, starting from 0 or the old C value, so all providers, tile
 * sizes and thread counts give bit-identical results.
 */
interface KernelProvider {
  /** Name used in logs and benchmark reports. */
  String name();

  /** Whether this is the Vector API implementation. */
  boolean vectorized();

  /** Rows of the register tile; A is packed in panels of this many rows. */
  int mr();

  /** Columns of the register tile; B is packed in panels of this many columns. */
  int nr();

  /**
   * Updates a {@code [rows, cols]} tile of C ({@code rows <= mr}, {@code cols <= nr}): for each p in
   * {@code [0, kc)} in order, {@code c[i][j] = fma(a[p][i], b[p][j], c[i][j])}. The packed panels are
   * always full size (zero-padded); elements of C outside the tile are not touched.
   *
   * @param kc depth of the packed panels
   * @param a packed A panel, {@code [kc, mr]}
   * @param aOff start of the A panel
   * @param b packed B panel, {@code [kc, nr]}
   * @param bOff start of the B panel
   * @param c the C array
   * @param cOff index of the tile's top-left element
   * @param ldc C's row stride
   * @param rows rows of the tile that exist in C
   * @param cols columns of the tile that exist in C
   * @param load {@code false} to start from zero instead of reading C (C may hold garbage)
   */
  void tile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc, int rows, int cols,
      boolean load);
}
