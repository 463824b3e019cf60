package io.github.resnet4j.tensor;

import io.github.resnet4j.kernels.Gemm;

/** Matrix products on the packed GEMM kernel; transposed views are passed to it without a copy. */
final class LinAlg {
  private LinAlg() {}

  /** A matrix operand as the GEMM sees it: array, offset, leading dimension and whether it is transposed. */
  private static final class Operand {
    final float[] data;
    final int offset;
    final int ld;
    final boolean trans;

    Operand(float[] data, int offset, int ld, boolean trans) {
      this.data = data;
      this.offset = offset;
      this.ld = ld;
      this.trans = trans;
    }
  }

  /** Reads a [rows, cols] matrix view with strides (rs, cs) directly when one stride is 1. */
  private static Operand operand(float[] data, int offset, int rows, int cols, int rs, int cs) {
    if (cs == 1 && (rs >= cols || rows == 1)) {
      return new Operand(data, offset, Math.max(rs, cols), false);
    }
    if (rs == 1 && (cs >= rows || cols == 1)) {
      return new Operand(data, offset, Math.max(cs, rows), true);
    }
    float[] copy = new float[rows * cols];
    io.github.resnet4j.kernels.Strided.copy(data, offset, new int[] {rs, cs}, new int[] {rows, cols}, copy, 0);
    return new Operand(copy, 0, cols, false);
  }

  static Tensor matmul(Tensor a, Tensor b) {
    if (a.shape.length == 0 || b.shape.length == 0) {
      throw new IllegalArgumentException("matmul: 0-d operands " + Shapes.str(a.shape) + " and "
          + Shapes.str(b.shape) + "; use mul");
    }
    // 1-d operands are promoted as in NumPy and the added dimension removed afterwards.
    Tensor a2 = a.shape.length == 1 ? Views.unsqueeze(a, 0) : a;
    Tensor b2 = b.shape.length == 1 ? Views.unsqueeze(b, 1) : b;
    Tensor out = matmulNd(a2, b2);
    if (a.shape.length == 1) {
      out = Views.squeeze(out, -2);
    }
    if (b.shape.length == 1) {
      out = Views.squeeze(out, -1);
    }
    return out;
  }

  private static Tensor matmulNd(Tensor a, Tensor b) {
    int ra = a.shape.length;
    int rb = b.shape.length;
    int m = a.shape[ra - 2];
    int k = a.shape[ra - 1];
    int kb = b.shape[rb - 2];
    int n = b.shape[rb - 1];
    if (k != kb) {
      throw new IllegalArgumentException("matmul: shapes " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape)
          + " cannot be multiplied (" + k + " != " + kb + ")");
    }
    int[] batchA = java.util.Arrays.copyOf(a.shape, ra - 2);
    int[] batchB = java.util.Arrays.copyOf(b.shape, rb - 2);
    int[] batch = Shapes.broadcast("matmul", batchA, batchB);
    int[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
    outShape[batch.length] = m;
    outShape[batch.length + 1] = n;
    Shapes.check("matmul", outShape);
    int[] aBatchStrides = Shapes.broadcastStrides("matmul", batchA, java.util.Arrays.copyOf(a.strides, ra - 2), batch);
    int[] bBatchStrides = Shapes.broadcastStrides("matmul", batchB, java.util.Arrays.copyOf(b.strides, rb - 2), batch);
    float[] out = Buffers.forOutput(Shapes.numelInt(outShape));
    int batches = Shapes.numelInt(batch);
    int[] pos = new int[batch.length];
    for (int i = 0; i < batches; i++) {
      int ao = a.offset;
      int bo = b.offset;
      for (int d = 0; d < batch.length; d++) {
        ao += pos[d] * aBatchStrides[d];
        bo += pos[d] * bBatchStrides[d];
      }
      if (m > 0 && n > 0) {
        if (k == 0) {
          java.util.Arrays.fill(out, i * m * n, (i + 1) * m * n, 0f);
        } else {
          Operand opA = operand(a.data(), ao, m, k, a.strides[ra - 2], a.strides[ra - 1]);
          Operand opB = operand(b.data(), bo, k, n, b.strides[rb - 2], b.strides[rb - 1]);
          Gemm.sgemm(opA.trans, opB.trans, m, n, k, opA.data, opA.offset, opA.ld, opB.data, opB.offset, opB.ld,
              0f, out, i * m * n, n);
        }
      }
      for (int d = batch.length - 1; d >= 0; d--) {
        if (++pos[d] < batch[d]) {
          break;
        }
        pos[d] = 0;
      }
    }
    return Autograd.record("matmul", Tensor.wrap(out, outShape), g -> new Tensor[] {
        a.requiresGrad ? matmulNd(g, Views.transpose(b, -1, -2)) : null,
        b.requiresGrad ? matmulNd(Views.transpose(a, -1, -2), g) : null}, a, b);
  }
}
