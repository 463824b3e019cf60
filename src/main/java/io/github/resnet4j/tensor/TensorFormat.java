package io.github.resnet4j.tensor;

import java.util.Locale;

/** PyTorch-style printing with long dimensions summarised as "first 3, ..., last 3". */
final class TensorFormat {
  private static final int SUMMARIZE_ABOVE = 1000;
  private static final int EDGE = 3;

  private TensorFormat() {}

  static String format(Tensor t) {
    StringBuilder sb = new StringBuilder("tensor(");
    float[] v = t.toFloatArray();
    boolean summarize = v.length > SUMMARIZE_ABOVE;
    append(sb, v, t.shape, 0, 0, summarize, 7);
    sb.append(", shape=").append(Shapes.str(t.shape));
    if (t.dtype() != DType.FLOAT32) {
      sb.append(", dtype=").append(t.dtype());
    }
    if (t.requiresGrad) {
      sb.append(", requiresGrad=true");
    }
    return sb.append(')').toString();
  }

  private static void append(StringBuilder sb, float[] v, int[] shape, int dim, int base, boolean summarize,
      int indent) {
    if (dim == shape.length) {
      sb.append(number(v[base]));
      return;
    }
    int n = shape[dim];
    int stride = 1;
    for (int d = dim + 1; d < shape.length; d++) {
      stride *= shape[d];
    }
    sb.append('[');
    for (int i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE && i == EDGE) {
        sb.append("...");
        i = n - EDGE - 1;
        sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
        continue;
      }
      append(sb, v, shape, dim + 1, base + i * stride, summarize, indent);
      if (i < n - 1) {
        sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
      }
    }
    sb.append(']');
  }

  private static String number(float x) {
    if (Float.isNaN(x)) {
      return "nan";
    }
    if (Float.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    float a = Math.abs(x);
    if (a != 0 && (a < 1e-4f || a >= 1e8f)) {
      return String.format(Locale.ROOT, "%.4e", x);
    }
    return String.format(Locale.ROOT, "%.4f", x);
  }
}
