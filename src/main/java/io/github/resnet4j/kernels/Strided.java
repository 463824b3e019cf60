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
    int innerStride = shape.length == 0 ? 1 : strides[shape.length - 1];
    RowWalk.walk(shape, srcOffset, strides, srcOffset, strides, (p, unused, o, n) -> {
      if (innerStride == 1) {
        System.arraycopy(src, p, dst, dstOffset + o, n);
      } else {
        for (int i = 0, q = p; i < n; i++, q += innerStride) {
          dst[dstOffset + o + i] = src[q];
        }
      }
    });
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
    int innerStride = shape.length == 0 ? 1 : strides[shape.length - 1];
    RowWalk.walk(shape, dstOffset, strides, dstOffset, strides, (p, unused, o, n) -> {
      if (innerStride == 1) {
        System.arraycopy(src, o, dst, p, n);
      } else {
        for (int i = 0, q = p; i < n; i++, q += innerStride) {
          dst[q] = src[o + i];
        }
      }
    });
  }
}
