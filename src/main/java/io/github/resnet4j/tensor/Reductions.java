package io.github.resnet4j.tensor;

import io.github.resnet4j.kernels.Elementwise;
import java.util.Arrays;

/** Sums, means, variances, maxima and the softmax family over any set of dimensions. */
final class Reductions {
  private Reductions() {}

  /** Which dimensions a reduction covers; an empty {@code dims} means all of them. */
  static boolean[] mask(String op, int[] dims, int rank) {
    boolean[] reduce = new boolean[rank];
    if (dims.length == 0) {
      Arrays.fill(reduce, true);
      return reduce;
    }
    for (int dim : dims) {
      int d = Shapes.dim(op, dim, rank);
      if (reduce[d]) {
        throw new IllegalArgumentException(op + ": dimension " + dim + " repeats in " + Arrays.toString(dims));
      }
      reduce[d] = true;
    }
    return reduce;
  }

  static int[] reducedShape(int[] shape, boolean[] reduce, boolean keepDim) {
    int kept = 0;
    for (boolean r : reduce) {
      kept += r ? 0 : 1;
    }
    int[] out = new int[keepDim ? shape.length : kept];
    for (int d = 0, j = 0; d < shape.length; d++) {
      if (keepDim) {
        out[d] = reduce[d] ? 1 : shape[d];
      } else if (!reduce[d]) {
        out[j++] = shape[d];
      }
    }
    return out;
  }

  /**
   * Moves the reduced dimensions last and makes the result dense, so each output element reduces one
   * contiguous run. Returns the dense data; {@code runLength[0]} receives the run length.
   */
  private static float[] reducedLast(Tensor x, boolean[] reduce, int[] runLength) {
    int rank = x.shape.length;
    int[] perm = new int[rank];
    int j = 0;
    int run = 1;
    for (int d = 0; d < rank; d++) {
      if (!reduce[d]) {
        perm[j++] = d;
      }
    }
    for (int d = 0; d < rank; d++) {
      if (reduce[d]) {
        perm[j++] = d;
        run *= x.shape[d];
      }
    }
    runLength[0] = run;
    int[] shape = new int[rank];
    int[] strides = new int[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = x.shape[perm[i]];
      strides[i] = x.strides[perm[i]];
    }
    if (x.offset == 0 && Shapes.isContiguous(shape, strides) && x.data().length == x.numel()) {
      return x.data();
    }
    float[] out = Buffers.forOutput(x.numel());
    io.github.resnet4j.kernels.Strided.copy(x.data(), x.offset, strides, shape, out, 0);
    return out;
  }

  /** Gives back what {@link #reducedLast} copied, once read: nothing else refers to a copy. */
  private static void recycleCopy(float[] src, Tensor x) {
    if (src != x.data()) {
      Buffers.recycle(src);
    }
  }

  static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
    boolean[] reduce = mask("sum", dims, x.shape.length);
    int[] outShape = reducedShape(x.shape, reduce, keepDim);
    int[] run = new int[1];
    float[] src = reducedLast(x, reduce, run);
    int rows = Shapes.numelInt(outShape);
    float[] out = Buffers.forOutput(rows);
    if (run[0] > 0) {
      Elementwise.sumRows(src, 0, rows, run[0], out);
    } else {
      java.util.Arrays.fill(out, 0f);
    }
    recycleCopy(src, x);
    int[] inShape = x.shape;
    int[] keptShape = reducedShape(x.shape, reduce, true);
    return Autograd.record("sum", Tensor.wrap(out, outShape),
        g -> new Tensor[] {Views.expand(Views.reshape(g, keptShape), inShape)}, x);
  }

  static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
    boolean[] reduce = mask("mean", dims, x.shape.length);
    long count = 1;
    for (int d = 0; d < reduce.length; d++) {
      count *= reduce[d] ? x.shape[d] : 1;
    }
    return sum(x, dims, keepDim).mul((float) (1.0 / count));
  }

  /** Variance: divided by n (biased) or n - 1 (unbiased, Bessel's correction). */
  static Tensor var(Tensor x, int[] dims, boolean unbiased, boolean keepDim) {
    boolean[] reduce = mask("var", dims, x.shape.length);
    long count = 1;
    for (int d = 0; d < reduce.length; d++) {
      count *= reduce[d] ? x.shape[d] : 1;
    }
    long denom = unbiased ? count - 1 : count;
    if (denom <= 0) {
      throw new IllegalArgumentException("var: " + count + " element(s) per reduction in shape "
          + Shapes.str(x.shape) + " is too few for the " + (unbiased ? "unbiased" : "biased") + " variance");
    }
    Tensor centered = x.sub(mean(x, dims, true));
    return sum(centered.mul(centered), dims, keepDim).mul((float) (1.0 / denom));
  }

  /** Maximum along one dimension: the values (with gradient to the first maximal entry) and the indices. */
  static Tensor[] max(Tensor x, int dim, boolean keepDim) {
    int d = Shapes.dim("max", dim, x.shape.length);
    if (x.shape[d] == 0) {
      throw new IllegalArgumentException("max: dimension " + d + " of shape " + Shapes.str(x.shape) + " is empty");
    }
    boolean[] reduce = new boolean[x.shape.length];
    reduce[d] = true;
    int[] outShape = reducedShape(x.shape, reduce, keepDim);
    int[] run = new int[1];
    float[] src = reducedLast(x, reduce, run);
    int rows = Shapes.numelInt(outShape);
    float[] values = new float[rows];
    int[] argmax = new int[rows];
    Elementwise.maxRows(src, 0, rows, run[0], values, argmax);
    recycleCopy(src, x);
    float[] idx = new float[rows];
    for (int i = 0; i < rows; i++) {
      idx[i] = argmax[i];
    }
    Tensor indices = Tensor.wrap(idx, outShape);
    int[] inShape = x.shape;
    int[] keptShape = reducedShape(x.shape, reduce, true);
    Tensor valuesT = Autograd.record("max", Tensor.wrap(values, outShape), g -> {
      Tensor oneHot = Joins.oneHotAlong(Views.reshape(indices, keptShape), d, inShape);
      return new Tensor[] {oneHot.mul(Views.reshape(g, keptShape))};
    }, x);
    return new Tensor[] {valuesT, indices.asType(DType.INT64)};
  }

  /** The maximum over dims (kept), detached and made finite: the shift that keeps exp() in range. */
  private static Tensor stableShift(Tensor x, boolean[] reduce) {
    Tensor m = x.detach();
    for (int d = 0; d < reduce.length; d++) {
      if (reduce[d]) {
        m = max(m, d, true)[0];
      }
    }
    return Ops.map(io.github.resnet4j.kernels.UnaryOp.CLAMP, -Float.MAX_VALUE, Float.MAX_VALUE, m);
  }

  /** log(sum(exp(x))) along dims, stable by subtracting the (constant) maximum first. */
  static Tensor logSumExp(Tensor x, int[] dims, boolean keepDim) {
    boolean[] reduce = mask("logsumexp", dims, x.shape.length);
    Tensor m = stableShift(x, reduce);
    Tensor out = sum(x.sub(m).exp(), dims, true).log().add(m);
    return keepDim ? out : Views.reshape(out, reducedShape(x.shape, reduce, false));
  }

  /** (x - m) - log(sum(exp(x - m))): the shift is subtracted before the rounding of a large logsumexp. */
  static Tensor logSoftmax(Tensor x, int dim) {
    int[] dims = {dim};
    Tensor shifted = x.sub(stableShift(x, mask("logSoftmax", dims, x.shape.length)));
    return shifted.sub(sum(shifted.exp(), dims, true).log());
  }

  static Tensor softmax(Tensor x, int dim) {
    return logSoftmax(x, dim).exp();
  }

  /** Sums a broadcast gradient back to {@code shape} (the inverse of broadcasting). */
  static Tensor sumToShape(Tensor g, int[] shape) {
    if (Arrays.equals(g.shape, shape)) {
      return g;
    }
    int lead = g.shape.length - shape.length;
    if (lead < 0) {
      throw new IllegalArgumentException("sumToShape: gradient of shape " + Shapes.str(g.shape)
          + " has fewer dimensions than " + Shapes.str(shape));
    }
    int[] dims = new int[g.shape.length];
    int n = 0;
    for (int d = 0; d < g.shape.length; d++) {
      if (d < lead || (shape[d - lead] == 1 && g.shape[d] != 1)) {
        dims[n++] = d;
      }
    }
    Tensor s = n == 0 ? g : sum(g, Arrays.copyOf(dims, n), true);
    return Views.reshape(s, shape);
  }
}
