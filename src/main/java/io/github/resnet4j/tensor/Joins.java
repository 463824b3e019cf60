package io.github.resnet4j.tensor;

import java.util.Arrays;
import java.util.List;

/** Joining, splitting and indexing: cat, stack, split, indexSelect, gather, oneHot. */
final class Joins {
  private Joins() {}

  static Tensor cat(List<Tensor> parts, int dim) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("cat: no tensors given");
    }
    Tensor first = parts.get(0);
    int rank = first.shape.length;
    if (rank == 0) {
      throw new IllegalArgumentException("cat: 0-d tensors cannot be concatenated; use stack");
    }
    int d = Shapes.dim("cat", dim, rank);
    int total = 0;
    for (Tensor t : parts) {
      boolean same = t.shape.length == rank;
      for (int i = 0; same && i < rank; i++) {
        same = i == d || t.shape[i] == first.shape[i];
      }
      if (!same) {
        throw new IllegalArgumentException("cat: shapes " + Shapes.str(first.shape) + " and " + Shapes.str(t.shape)
            + " differ outside dimension " + d);
      }
      total += t.shape[d];
    }
    int[] shape = first.shape.clone();
    shape[d] = total;
    Tensor out = Tensor.zeros(shape);
    int[] starts = new int[parts.size()];
    int at = 0;
    for (int i = 0; i < parts.size(); i++) {
      Tensor t = parts.get(i);
      starts[i] = at;
      try (NoGrad ignored = NoGrad.enter()) {
        Views.narrow(out, d, at, t.shape[d]).copyFrom(t);
      }
      at += t.shape[d];
    }
    return Autograd.record("cat", out, g -> {
      Tensor[] grads = new Tensor[parts.size()];
      for (int i = 0; i < grads.length; i++) {
        grads[i] = Views.narrow(g, d, starts[i], parts.get(i).shape[d]);
      }
      return grads;
    }, parts.toArray(new Tensor[0]));
  }

  static Tensor stack(List<Tensor> parts, int dim) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("stack: no tensors given");
    }
    int rank = parts.get(0).shape.length;
    int d = dim < 0 ? dim + rank + 1 : dim;
    Tensor[] expanded = new Tensor[parts.size()];
    for (int i = 0; i < expanded.length; i++) {
      Tensor t = parts.get(i);
      if (!Arrays.equals(t.shape, parts.get(0).shape)) {
        throw new IllegalArgumentException("stack: shapes " + Shapes.str(parts.get(0).shape) + " and "
            + Shapes.str(t.shape) + " differ");
      }
      expanded[i] = Views.unsqueeze(t, d);
    }
    return cat(Arrays.asList(expanded), d);
  }

  static Tensor[] split(Tensor x, int[] sizes, int dim) {
    int d = Shapes.dim("split", dim, x.shape.length);
    int sum = 0;
    for (int s : sizes) {
      if (s < 0) {
        throw new IllegalArgumentException("split: negative size in " + Arrays.toString(sizes));
      }
      sum += s;
    }
    if (sum != x.shape[d]) {
      throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum
          + ", not to dimension " + d + " of shape " + Shapes.str(x.shape));
    }
    Tensor[] out = new Tensor[sizes.length];
    int at = 0;
    for (int i = 0; i < sizes.length; i++) {
      out[i] = Views.narrow(x, d, at, sizes[i]);
      at += sizes[i];
    }
    return out;
  }

  private static int[] indexValues(String op, Tensor index, int bound) {
    float[] v = index.toFloatArray();
    int[] idx = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      int k = (int) v[i];
      if (k != v[i] || k < 0 || k >= bound) {
        throw new IndexOutOfBoundsException(op + ": index " + v[i] + " at position " + i
            + " is out of range [0, " + bound + ")");
      }
      idx[i] = k;
    }
    return idx;
  }

  /** Picks slices along {@code dim} by a 1-d index; the gradient adds back into the picked slices. */
  static Tensor indexSelect(Tensor x, int dim, Tensor index) {
    int d = Shapes.dim("indexSelect", dim, x.shape.length);
    if (index.shape.length != 1) {
      throw new IllegalArgumentException("indexSelect: index must be 1-d, got shape " + Shapes.str(index.shape));
    }
    int[] idx = indexValues("indexSelect", index, x.shape[d]);
    int[] shape = x.shape.clone();
    shape[d] = idx.length;
    Tensor out = Tensor.zeros(shape);
    try (NoGrad ignored = NoGrad.enter()) {
      for (int i = 0; i < idx.length; i++) {
        Views.narrow(out, d, i, 1).copyFrom(Views.narrow(x, d, idx[i], 1));
      }
    }
    int[] inShape = x.shape;
    return Autograd.record("indexSelect", out, g -> {
      Tensor gx = Tensor.zeros(inShape);
      for (int i = 0; i < idx.length; i++) {
        Views.narrow(gx, d, idx[i], 1).addInPlace(Views.narrow(g, d, i, 1));
      }
      return new Tensor[] {gx, null};
    }, x, index);
  }

  /** out[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (and likewise for other dims), as torch.gather. */
  static Tensor gather(Tensor x, int dim, Tensor index) {
    int rank = x.shape.length;
    int d = Shapes.dim("gather", dim, rank);
    if (index.shape.length != rank) {
      throw new IllegalArgumentException("gather: index of shape " + Shapes.str(index.shape)
          + " must have the rank of the input " + Shapes.str(x.shape));
    }
    for (int i = 0; i < rank; i++) {
      if (i != d && index.shape[i] > x.shape[i]) {
        throw new IllegalArgumentException("gather: index shape " + Shapes.str(index.shape)
            + " exceeds input shape " + Shapes.str(x.shape) + " in dimension " + i);
      }
    }
    int[] idx = indexValues("gather", index, x.shape[d]);
    int[] dense = Shapes.contiguousStrides(x.shape);
    int[] positions = new int[idx.length];
    int[] densePositions = new int[idx.length];
    int[] shape = index.shape;
    int[] pos = new int[rank];
    for (int flat = 0; flat < idx.length; flat++) {
      int p = x.offset;
      int q = 0;
      for (int i = 0; i < rank; i++) {
        int c = i == d ? idx[flat] : pos[i];
        p += c * x.strides[i];
        q += c * dense[i];
      }
      positions[flat] = p;
      densePositions[flat] = q;
      for (int i = rank - 1; i >= 0; i--) {
        if (++pos[i] < shape[i]) {
          break;
        }
        pos[i] = 0;
      }
    }
    float[] out = new float[idx.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = x.data()[positions[i]];
    }
    int[] inShape = x.shape;
    return Autograd.record("gather", Tensor.wrap(out, shape), g -> {
      float[] gx = new float[Shapes.numelInt(inShape)];
      float[] gv = g.toFloatArray();
      for (int i = 0; i < densePositions.length; i++) {
        gx[densePositions[i]] += gv[i];
      }
      return new Tensor[] {Tensor.wrap(gx, inShape), null};
    }, x, index);
  }

  /** Rows of the identity: labels [N] of integers in [0, classes) give [N, classes]. */
  static Tensor oneHot(Tensor labels, int classes) {
    int[] idx = indexValues("oneHot", labels, classes);
    int[] shape = Arrays.copyOf(labels.shape, labels.shape.length + 1);
    shape[shape.length - 1] = classes;
    float[] out = new float[idx.length * classes];
    for (int i = 0; i < idx.length; i++) {
      out[i * classes + idx[i]] = 1f;
    }
    return Tensor.wrap(out, shape);
  }

  /** A mask of {@code shape} with 1 where the coordinate along {@code dim} equals the (kept-dim) index. */
  static Tensor oneHotAlong(Tensor index, int dim, int[] shape) {
    Tensor positions = Tensor.arange(shape[dim]);
    int[] viewShape = new int[shape.length];
    Arrays.fill(viewShape, 1);
    viewShape[dim] = shape[dim];
    Tensor coords = Views.reshape(positions, viewShape);
    return Ops.zip("max", io.github.resnet4j.kernels.BinaryOp.EQ, Views.expand(coords, shape), index);
  }
}
