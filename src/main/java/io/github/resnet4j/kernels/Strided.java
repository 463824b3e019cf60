package io.github.resnet4j.kernels;

/** Loops over strided n-d views: gathering a view into a dense array. */
public final class Strided {
  private Strided() {}

  /**
   * Copies the view {@code (src, srcOffset, strides, shape)} into {@code dst} in row-major order.
   *
   * @param src the source array
   * @param srcOffset index of the view's first element
   * @param strides the view's strides in elements
   * @param shape the view's shape
   * @param dst the destination
   * @param dstOffset where the first element goes
   */
  public static void copy(float[] src, int srcOffset, int[] strides, int[] shape, float[] dst, int dstOffset) {
    int rank = shape.length;
    if (rank == 0) {
      dst[dstOffset] = src[srcOffset];
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
    int innerStride = strides[rank - 1];
    int[] idx = new int[rank];
    int p = srcOffset;
    int o = dstOffset;
    long rows = total / inner;
    for (long r = 0; r < rows; r++) {
      if (innerStride == 1) {
        System.arraycopy(src, p, dst, o, inner);
      } else {
        for (int i = 0, q = p; i < inner; i++, q += innerStride) {
          dst[o + i] = src[q];
        }
      }
      o += inner;
      for (int d = rank - 2; d >= 0; d--) {
        idx[d]++;
        p += strides[d];
        if (idx[d] < shape[d]) {
          break;
        }
        p -= strides[d] * shape[d];
        idx[d] = 0;
      }
    }
  }

  /**
   * Writes dense row-major {@code src} into the view {@code (dst, dstOffset, strides, shape)}: the inverse
   * of {@link #copy}.
   *
   * @param src dense source, starting at index 0
   * @param dst the destination array
   * @param dstOffset index of the view's first element
   * @param strides the view's strides in elements
   * @param shape the view's shape
   */
  public static void scatter(float[] src, float[] dst, int dstOffset, int[] strides, int[] shape) {
    int rank = shape.length;
    if (rank == 0) {
      dst[dstOffset] = src[0];
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
    int innerStride = strides[rank - 1];
    int[] idx = new int[rank];
    int p = dstOffset;
    int o = 0;
    long rows = total / inner;
    for (long r = 0; r < rows; r++) {
      if (innerStride == 1) {
        System.arraycopy(src, o, dst, p, inner);
      } else {
        for (int i = 0, q = p; i < inner; i++, q += innerStride) {
          dst[q] = src[o + i];
        }
      }
      o += inner;
      for (int d = rank - 2; d >= 0; d--) {
        idx[d]++;
        p += strides[d];
        if (idx[d] < shape[d]) {
          break;
        }
        p -= strides[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
}
