package io.github.resnet4j.kernels;

/**
 * Walks the rows (innermost dimension) of an n-d shape read through one or two strided views, handing
 * each row's start positions to a visitor: the one index loop behind copies, scatters and broadcast
 * element-wise ops.
 */
final class RowWalk {
  private RowWalk() {}

  /** Receives one row: start in view a, start in view b, start in the dense order, row length. */
  @FunctionalInterface
  interface Row {
    void visit(int pa, int pb, int dense, int length);
  }

  /**
   * Visits every row of {@code shape} in row-major order; a 0-d shape is one row of length 1.
   *
   * @param shape the shape
   * @param aOff first element of view a
   * @param aStrides view a's strides
   * @param bOff first element of view b
   * @param bStrides view b's strides (pass aStrides again for a single view)
   * @param row the visitor
   */
  static void walk(int[] shape, int aOff, int[] aStrides, int bOff, int[] bStrides, Row row) {
    int rank = shape.length;
    if (rank == 0) {
      row.visit(aOff, bOff, 0, 1);
      return;
    }
    long total = 1;
    for (int s : shape) {
      total *= s;
    }
    if (total == 0) {
      return;
    }
    int inner = shape[rank - 1];
    int[] idx = new int[rank];
    int pa = aOff;
    int pb = bOff;
    int o = 0;
    long rows = total / inner;
    for (long r = 0; r < rows; r++) {
      row.visit(pa, pb, o, inner);
      o += inner;
      for (int d = rank - 2; d >= 0; d--) {
        idx[d]++;
        pa += aStrides[d];
        pb += bStrides[d];
        if (idx[d] < shape[d]) {
          break;
        }
        pa -= aStrides[d] * shape[d];
        pb -= bStrides[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
}
