package io.github.resnet4j.tensor;

import java.util.Arrays;

/** Views that share storage (reshape, permute, narrow, expand, squeeze) and their gradients. */
final class Views {
  private Views() {}

  static Tensor view(Tensor x, int[] newShape, String op) {
    int[] shape = inferShape(op, x, newShape);
    if (!x.isContiguous()) {
      throw new IllegalArgumentException(op + ": tensor of shape " + Shapes.str(x.shape) + " with strides "
          + Shapes.str(x.strides) + " is not contiguous; use reshape() or contiguous() first");
    }
    Tensor v = new Tensor(x, shape, Shapes.contiguousStrides(shape), x.offset);
    int[] inShape = x.shape;
    return Autograd.record(op, v, g -> new Tensor[] {reshape(g, inShape)}, x);
  }

  /** A view when the layout allows it, otherwise a copy, as torch.reshape. */
  static Tensor reshape(Tensor x, int[] newShape) {
    if (x.isContiguous()) {
      return view(x, newShape, "reshape");
    }
    return view(contiguous(x), newShape, "reshape");
  }

  private static int[] inferShape(String op, Tensor x, int[] newShape) {
    int[] shape = newShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException(op + ": only one dimension can be -1 in " + Arrays.toString(newShape));
        }
        infer = i;
      } else if (shape[i] < 0) {
        throw new IllegalArgumentException(op + ": invalid size in shape " + Arrays.toString(newShape));
      } else {
        known *= shape[i];
      }
    }
    int n = x.numel();
    if (infer >= 0) {
      if (known == 0 || n % known != 0) {
        throw new IllegalArgumentException(op + ": shape " + Arrays.toString(newShape)
            + " is invalid for a tensor of shape " + Shapes.str(x.shape) + " (" + n + " elements)");
      }
      shape[infer] = (int) (n / known);
    } else if (known != n) {
      throw new IllegalArgumentException(op + ": shape " + Arrays.toString(newShape)
          + " is invalid for a tensor of shape " + Shapes.str(x.shape) + " (" + n + " elements)");
    }
    Shapes.check(op, shape);
    return shape;
  }

  static Tensor contiguous(Tensor x) {
    if (x.isContiguous()) {
      return x;
    }
    float[] out = new float[x.numel()];
    Strided.copyTo(x, out);
    int[] inShape = x.shape;
    return Autograd.record("contiguous", Tensor.wrap(out, x.shape), g -> new Tensor[] {g}, x);
  }

  static Tensor permute(Tensor x, int[] dims) {
    int rank = x.shape.length;
    if (dims.length != rank) {
      throw new IllegalArgumentException("permute: " + dims.length + " dimensions " + Arrays.toString(dims)
          + " for a tensor of shape " + Shapes.str(x.shape));
    }
    int[] perm = new int[rank];
    boolean[] seen = new boolean[rank];
    int[] shape = new int[rank];
    int[] strides = new int[rank];
    for (int i = 0; i < rank; i++) {
      int d = Shapes.dim("permute", dims[i], rank);
      if (seen[d]) {
        throw new IllegalArgumentException("permute: dimension " + d + " repeats in " + Arrays.toString(dims));
      }
      seen[d] = true;
      perm[i] = d;
      shape[i] = x.shape[d];
      strides[i] = x.strides[d];
    }
    int[] inverse = new int[rank];
    for (int i = 0; i < rank; i++) {
      inverse[perm[i]] = i;
    }
    Tensor v = new Tensor(x, shape, strides, x.offset);
    return Autograd.record("permute", v, g -> new Tensor[] {permute(g, inverse)}, x);
  }

  static Tensor transpose(Tensor x, int d0, int d1) {
    int rank = x.shape.length;
    int a = Shapes.dim("transpose", d0, rank);
    int b = Shapes.dim("transpose", d1, rank);
    int[] perm = new int[rank];
    for (int i = 0; i < rank; i++) {
      perm[i] = i;
    }
    perm[a] = b;
    perm[b] = a;
    return permute(x, perm);
  }

  static Tensor narrow(Tensor x, int dim, int start, int length) {
    int d = Shapes.dim("narrow", dim, x.shape.length);
    if (start < 0 || length < 0 || start + length > x.shape[d]) {
      throw new IllegalArgumentException("narrow: range [" + start + ", " + (start + length) + ") is outside"
          + " dimension " + d + " of size " + x.shape[d] + " (shape " + Shapes.str(x.shape) + ")");
    }
    int[] shape = x.shape.clone();
    shape[d] = length;
    Tensor v = new Tensor(x, shape, x.strides.clone(), x.offset + start * x.strides[d]);
    int[] inShape = x.shape;
    return Autograd.record("narrow", v, g -> {
      Tensor full = Tensor.zeros(inShape);
      Views.narrow(full, d, start, length).copyFrom(g);
      return new Tensor[] {full};
    }, x);
  }

  static Tensor expand(Tensor x, int[] target) {
    int[] strides = Shapes.broadcastStrides("expand", x.shape, x.strides, target);
    Tensor v = new Tensor(x, target.clone(), strides, x.offset);
    int[] inShape = x.shape;
    return Autograd.record("expand", v, g -> new Tensor[] {Reductions.sumToShape(g, inShape)}, x);
  }

  static Tensor squeeze(Tensor x, int dim) {
    int d = Shapes.dim("squeeze", dim, x.shape.length);
    if (x.shape[d] != 1) {
      return x;
    }
    return dropDim(x, d, "squeeze");
  }

  static Tensor squeezeAll(Tensor x) {
    Tensor r = x;
    for (int d = x.shape.length - 1; d >= 0; d--) {
      if (x.shape[d] == 1) {
        r = dropDim(r, d, "squeeze");
      }
    }
    return r;
  }

  private static Tensor dropDim(Tensor x, int d, String op) {
    int rank = x.shape.length;
    int[] shape = new int[rank - 1];
    int[] strides = new int[rank - 1];
    for (int i = 0, j = 0; i < rank; i++) {
      if (i != d) {
        shape[j] = x.shape[i];
        strides[j++] = x.strides[i];
      }
    }
    Tensor v = new Tensor(x, shape, strides, x.offset);
    int[] inShape = x.shape;
    return Autograd.record(op, v, g -> new Tensor[] {reshape(g, inShape)}, x);
  }

  static Tensor unsqueeze(Tensor x, int dim) {
    int rank = x.shape.length;
    int d = dim < 0 ? dim + rank + 1 : dim;
    if (d < 0 || d > rank) {
      throw new IllegalArgumentException("unsqueeze: dimension " + dim + " is out of range for rank " + rank);
    }
    Shapes.check("unsqueeze", new int[rank + 1]);
    int[] shape = new int[rank + 1];
    int[] strides = new int[rank + 1];
    for (int i = 0, j = 0; i <= rank; i++) {
      if (i == d) {
        shape[i] = 1;
        strides[i] = j < rank ? x.strides[j] * x.shape[j] : 1;
      } else {
        shape[i] = x.shape[j];
        strides[i] = x.strides[j++];
      }
    }
    Tensor v = new Tensor(x, shape, strides, x.offset);
    int[] inShape = x.shape;
    return Autograd.record("unsqueeze", v, g -> new Tensor[] {reshape(g, inShape)}, x);
  }
}
