package io.github.resnet4j.kernels;

/**
 * Element-wise loops over dense arrays and over broadcast, strided views. The op is chosen outside each
 * loop so that every inner loop is a single straight-line body the JIT can vectorize.
 */
public final class Elementwise {
  private Elementwise() {}

  /**
   * {@code out[outOff + i] = op(x[xOff + i])} for {@code i < n}; x and out may be the same array.
   *
   * @param op the function
   * @param p first parameter (CLAMP low, AFFINE and SCALE factor, POW exponent)
   * @param q second parameter (CLAMP high, AFFINE shift)
   * @param x input array
   * @param xOff input start
   * @param out output array
   * @param outOff output start
   * @param n element count
   */
  public static void unary(UnaryOp op, float p, float q, float[] x, int xOff, float[] out, int outOff, int n) {
    if (!Parallel.splits(n, GRAIN)) { // optimizers run this per parameter per step: no loop body to allocate
      unaryRange(op, p, q, x, xOff, out, outOff, n);
      return;
    }
    Parallel.forRange(n, GRAIN, (from, to) -> unaryRange(op, p, q, x, xOff + from, out, outOff + from, to - from));
  }

  /** Below this many elements a loop is not worth splitting across threads. */
  static final int GRAIN = 1 << 15;

  private static void unaryRange(UnaryOp op, float p, float q, float[] x, int xOff, float[] out, int outOff, int n) {
    switch (op) {
      case NEG:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = -x[xOff + i];
        }
        break;
      case EXP:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = (float) Math.exp(x[xOff + i]);
        }
        break;
      case LOG:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = (float) Math.log(x[xOff + i]);
        }
        break;
      case SQRT:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = (float) Math.sqrt(x[xOff + i]);
        }
        break;
      case ABS:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = Math.abs(x[xOff + i]);
        }
        break;
      case RELU:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = Math.max(x[xOff + i], 0f);
        }
        break;
      case SIGMOID:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = (float) (1.0 / (1.0 + Math.exp(-x[xOff + i])));
        }
        break;
      case TANH:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = (float) Math.tanh(x[xOff + i]);
        }
        break;
      case CLAMP:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = Math.min(Math.max(x[xOff + i], p), q);
        }
        break;
      case AFFINE:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = x[xOff + i] * p + q;
        }
        break;
      case SCALE:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = x[xOff + i] * p;
        }
        break;
      case POW:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = pow(x[xOff + i], p);
        }
        break;
      case SIGN:
        for (int i = 0; i < n; i++) {
          out[outOff + i] = Math.signum(x[xOff + i]);
        }
        break;
      default:
        throw new AssertionError(op);
    }
  }

  private static float pow(float x, float e) {
    if (e == 2f) {
      return x * x;
    }
    return (float) Math.pow(x, e);
  }

  /**
   * {@code out[i] = a[i] + (b[i] * alpha + 0)} over dense arrays: {@code a + b * alpha} rounded exactly as
   * an AFFINE map of b followed by an ADD (the {@code + 0} turns -0 into +0 as the map does), in one pass
   * without the intermediate array.
   *
   * @param a first operand
   * @param aOff its start
   * @param alpha the scale of b
   * @param b second operand
   * @param bOff its start
   * @param out output (may alias a, index for index)
   * @param outOff its start
   * @param n element count
   */
  public static void addScaled(float[] a, int aOff, float alpha, float[] b, int bOff, float[] out, int outOff,
      int n) {
    if (!Parallel.splits(n, GRAIN)) {
      addScaledRange(a, aOff, alpha, b, bOff, out, outOff, 0, n);
      return;
    }
    Parallel.forRange(n, GRAIN, (from, to) -> addScaledRange(a, aOff, alpha, b, bOff, out, outOff, from, to));
  }

  private static void addScaledRange(float[] a, int aOff, float alpha, float[] b, int bOff, float[] out,
      int outOff, int from, int to) {
    for (int i = from; i < to; i++) {
      out[outOff + i] = a[aOff + i] + (b[bOff + i] * alpha + 0f);
    }
  }

  /**
   * {@code out[i] = op(a[i], b[i])} over dense arrays.
   *
   * @param op the function
   * @param a first operand
   * @param aOff its start
   * @param b second operand
   * @param bOff its start
   * @param out output (may alias a or b)
   * @param outOff its start
   * @param n element count
   */
  public static void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    if (!Parallel.splits(n, GRAIN)) {
      row(op, a, aOff, 1, b, bOff, 1, out, outOff, n);
      return;
    }
    Parallel.forRange(n, GRAIN, (from, to) -> row(op, a, aOff + from, 1, b, bOff + from, 1, out, outOff + from,
        to - from));
  }

  /**
   * {@code out = op(a, b)} where a and b are read through strides already broadcast to {@code shape}
   * (stride 0 on a broadcast dimension) and out is dense with that shape.
   *
   * @param op the function
   * @param a first operand's array
   * @param aOff its first element
   * @param aStrides its strides, one per dimension of shape
   * @param b second operand's array
   * @param bOff its first element
   * @param bStrides its strides, one per dimension of shape
   * @param out dense output
   * @param shape the output shape
   */
  public static void binary(BinaryOp op, float[] a, int aOff, int[] aStrides, float[] b, int bOff, int[] bStrides,
      float[] out, int[] shape) {
    int rank = shape.length;
    int as = rank == 0 ? 0 : aStrides[rank - 1];
    int bs = rank == 0 ? 0 : bStrides[rank - 1];
    RowWalk.walk(shape, aOff, aStrides, bOff, bStrides, (pa, pb, o, n) -> row(op, a, pa, as, b, pb, bs, out, o, n));
  }

  private static void row(BinaryOp op, float[] a, int pa, int as, float[] b, int pb, int bs, float[] out, int o, int n) {
    if (as == 1 && bs == 1) {
      denseRow(op, a, pa, b, pb, out, o, n);
      return;
    }
    if (as == 1 && bs == 0) {
      scalarRightRow(op, a, pa, b[pb], out, o, n);
      return;
    }
    for (int i = 0; i < n; i++) {
      out[o + i] = apply(op, a[pa + i * as], b[pb + i * bs]);
    }
  }

  private static void denseRow(BinaryOp op, float[] a, int pa, float[] b, int pb, float[] out, int o, int n) {
    switch (op) {
      case ADD:
        for (int i = 0; i < n; i++) {
          out[o + i] = a[pa + i] + b[pb + i];
        }
        return;
      case SUB:
        for (int i = 0; i < n; i++) {
          out[o + i] = a[pa + i] - b[pb + i];
        }
        return;
      case MUL:
        for (int i = 0; i < n; i++) {
          out[o + i] = a[pa + i] * b[pb + i];
        }
        return;
      case DIV:
        for (int i = 0; i < n; i++) {
          out[o + i] = a[pa + i] / b[pb + i];
        }
        return;
      case RELU_GRAD:
        Kernels.PROVIDER.reluGrad(a, pa, b, pb, out, o, n);
        return;
      case ADD_RELU:
        for (int i = 0; i < n; i++) {
          out[o + i] = Math.max(a[pa + i] + b[pb + i], 0f);
        }
        return;
      default:
        for (int i = 0; i < n; i++) {
          out[o + i] = apply(op, a[pa + i], b[pb + i]);
        }
    }
  }

  private static void scalarRightRow(BinaryOp op, float[] a, int pa, float s, float[] out, int o, int n) {
    switch (op) {
      case ADD:
        for (int i = 0; i < n; i++) {
          out[o + i] = a[pa + i] + s;
        }
        return;
      case SUB:
        for (int i = 0; i < n; i++) {
          out[o + i] = a[pa + i] - s;
        }
        return;
      case MUL:
        for (int i = 0; i < n; i++) {
          out[o + i] = a[pa + i] * s;
        }
        return;
      default:
        for (int i = 0; i < n; i++) {
          out[o + i] = apply(op, a[pa + i], s);
        }
    }
  }

  /**
   * One application of a binary op, for scalars and the generic strided path.
   *
   * @param op the function
   * @param a first operand
   * @param b second operand
   * @return op(a, b)
   */
  public static float apply(BinaryOp op, float a, float b) {
    switch (op) {
      case ADD:
        return a + b;
      case SUB:
        return a - b;
      case MUL:
        return a * b;
      case DIV:
        return a / b;
      case MAX:
        return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
      case MIN:
        return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b);
      case POW:
        return pow(a, b);
      case GT:
        return a > b ? 1f : 0f;
      case LT:
        return a < b ? 1f : 0f;
      case GE:
        return a >= b ? 1f : 0f;
      case LE:
        return a <= b ? 1f : 0f;
      case EQ:
        return a == b ? 1f : 0f;
      case RELU_GRAD:
        return a > 0f ? b : 0f;
      case ADD_RELU:
        return Math.max(a + b, 0f);
      default:
        throw new AssertionError(op);
    }
  }

  /**
   * Sums each of {@code rows} consecutive runs of {@code len} elements, accumulating in double so long
   * reductions keep float32 accuracy.
   *
   * @param x dense input, rows * len elements from xOff
   * @param xOff its start
   * @param rows number of runs
   * @param len run length
   * @param out one sum per run
   */
  public static void sumRows(float[] x, int xOff, int rows, int len, float[] out) {
    int grain = Math.max(1, GRAIN / Math.max(1, len));
    if (!Parallel.splits(rows, grain)) {
      sumSegmentedRows(x, xOff, len, 1, 0, len, out, 0, rows);
      return;
    }
    Parallel.forRange(rows, grain, (from, to) -> sumSegmentedRows(x, xOff, len, 1, 0, len, out, from, to));
  }

  /**
   * Rows {@code [from, to)} of x, each row {@code r} the {@code segments} runs of {@code len} elements at
   * {@code xOff + r * rowStride + k * segmentStride}, k in order, summed into {@code out[r]} as one chain of
   * double additions in that order (which the result must keep). Consecutive rows are one segment each for
   * {@link #sumRows}; a {@code [N, C, S]} tensor's channels are N segments of S each, C * S apart, for a
   * convolution's bias gradient. Four rows' chains run side by side instead of waiting out each addition's
   * latency: a global average pool's sum of 128 channels of 32x32 took a tenth of the seed model's batch-1 time.
   */
  static void sumSegmentedRows(float[] x, int xOff, int rowStride, int segments, int segmentStride, int len,
      float[] out, int from, int to) {
    int r = from;
    for (; r + 4 <= to; r += 4) {
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      for (int k = 0; k < segments; k++) {
        int b0 = xOff + r * rowStride + k * segmentStride;
        int b1 = b0 + rowStride;
        int b2 = b1 + rowStride;
        int b3 = b2 + rowStride;
        for (int i = 0; i < len; i++) {
          s0 += x[b0 + i];
          s1 += x[b1 + i];
          s2 += x[b2 + i];
          s3 += x[b3 + i];
        }
      }
      out[r] = (float) s0;
      out[r + 1] = (float) s1;
      out[r + 2] = (float) s2;
      out[r + 3] = (float) s3;
    }
    for (; r < to; r++) {
      double s = 0;
      for (int k = 0; k < segments; k++) {
        int base = xOff + r * rowStride + k * segmentStride;
        for (int i = 0; i < len; i++) {
          s += x[base + i];
        }
      }
      out[r] = (float) s;
    }
  }

  /**
   * The maximum of each run of {@code len} elements and the first position where it occurs (NaN wins,
   * as in PyTorch).
   *
   * @param x dense input
   * @param xOff its start
   * @param rows number of runs
   * @param len run length, at least 1
   * @param max one maximum per run
   * @param argmax one index (0 to len - 1) per run
   */
  public static void maxRows(float[] x, int xOff, int rows, int len, float[] max, int[] argmax) {
    for (int r = 0; r < rows; r++) {
      int base = xOff + r * len;
      float m = x[base];
      int am = 0;
      for (int i = 1; i < len && !Float.isNaN(m); i++) {
        float v = x[base + i];
        if (v > m || Float.isNaN(v)) {
          m = v;
          am = i;
        }
      }
      max[r] = m;
      argmax[r] = am;
    }
  }
}
