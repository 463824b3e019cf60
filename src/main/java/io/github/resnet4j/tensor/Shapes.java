package io.github.resnet4j.tensor;

import java.util.Arrays;

/** Shape arithmetic and the checks that name the op and the shapes when they fail. */
final class Shapes {
  private Shapes() {}

  static void check(String op, int[] shape) {
    if (shape.length > Tensor.MAX_RANK) {
      throw new IllegalArgumentException(op + ": rank " + shape.length + " exceeds the maximum of "
          + Tensor.MAX_RANK + ": shape " + Arrays.toString(shape));
    }
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException(op + ": negative size in shape " + Arrays.toString(shape));
      }
    }
    if (numel(shape) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape)
          + " has more elements than a Java array can hold");
    }
  }

  static long numel(int[] shape) {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }

  static int numelInt(int[] shape) {
    return (int) numel(shape);
  }

  /** A shape with its row-major strides; both arrays are shared between tensors, so never written. */
  static final class Contiguous {
    final int[] shape;
    final int[] strides;

    private Contiguous(int[] shape) {
      this.shape = shape.clone();
      this.strides = contiguousStrides(shape);
    }
  }

  /** A thread's recently used layouts, replaced round robin. */
  private static final class Recent {
    final Contiguous[] layouts = new Contiguous[16];
    int next;
  }

  private static final ThreadLocal<Recent> RECENT = ThreadLocal.withInitial(Recent::new);

  /**
   * The shared immutable copy of {@code shape} and its contiguous strides, one of the thread's recent ones
   * when equal: a training step wraps a few hundred results in a handful of shapes, and copying the shape and
   * computing strides for each was most of the int arrays the step allocated.
   */
  static Contiguous contiguous(int[] shape) {
    Recent recent = RECENT.get();
    for (Contiguous c : recent.layouts) {
      if (c != null && Arrays.equals(c.shape, shape)) {
        return c;
      }
    }
    Contiguous c = new Contiguous(shape);
    recent.layouts[recent.next] = c;
    recent.next = (recent.next + 1) % recent.layouts.length;
    return c;
  }

  static int[] contiguousStrides(int[] shape) {
    int[] st = new int[shape.length];
    int s = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      st[d] = s;
      s *= Math.max(shape[d], 1);
    }
    return st;
  }

  static boolean isContiguous(int[] shape, int[] strides) {
    int s = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && strides[d] != s) {
        return false;
      }
      s *= shape[d];
    }
    return true;
  }

  /** Normalises a possibly negative dimension index. */
  static int dim(String op, int dim, int rank) {
    int d = dim < 0 ? dim + rank : dim;
    if (d < 0 || d >= rank) {
      throw new IllegalArgumentException(op + ": dimension " + dim + " is out of range for rank " + rank);
    }
    return d;
  }

  /** NumPy broadcasting of two shapes. */
  static int[] broadcast(String op, int[] a, int[] b) {
    int rank = Math.max(a.length, b.length);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
      int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and "
            + Arrays.toString(b) + " cannot be broadcast");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** Strides that read a tensor of {@code shape}/{@code strides} as if it had {@code target} shape. */
  static int[] broadcastStrides(String op, int[] shape, int[] strides, int[] target) {
    int[] out = new int[target.length];
    int lead = target.length - shape.length;
    if (lead < 0) {
      throw new IllegalArgumentException(op + ": cannot broadcast shape " + Arrays.toString(shape)
          + " to " + Arrays.toString(target));
    }
    for (int i = 0; i < shape.length; i++) {
      int t = target[lead + i];
      if (shape[i] == t) {
        out[lead + i] = strides[i];
      } else if (shape[i] == 1) {
        out[lead + i] = 0;
      } else {
        throw new IllegalArgumentException(op + ": cannot broadcast shape " + Arrays.toString(shape)
            + " to " + Arrays.toString(target));
      }
    }
    return out;
  }

  static String str(int[] shape) {
    return Arrays.toString(shape);
  }
}
