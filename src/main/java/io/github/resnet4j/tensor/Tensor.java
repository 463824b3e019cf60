package io.github.resnet4j.tensor;

import io.github.resnet4j.kernels.Strided;
import java.util.Arrays;

/**
 * A float32 n-dimensional array (rank 0 to 8) with reverse-mode automatic differentiation.
 *
 * <p>Storage is a {@code float[]} addressed through a shape, strides and an offset, so views (reshape,
 * permute, narrow, expand, ...) share memory without copying. Operations build the autograd graph as they
 * run, as in PyTorch: call {@link #requiresGrad(boolean)} on leaves, compute a scalar, call
 * {@link #backward()}, and read {@link #grad()}.
 *
 * <pre>{@code
 * Tensor w = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
 * Tensor loss = w.mul(w).sum();
 * loss.backward();
 * w.grad();   // [2, 4, 6]
 * }</pre>
 */
public final class Tensor {
  static final int MAX_RANK = 8;

  final float[] data;
  final int[] shape;
  final int[] strides;
  final int offset;
  private DType dtype = DType.FLOAT32;

  boolean requiresGrad;
  Tensor grad;
  Node node;

  Tensor(float[] data, int[] shape, int[] strides, int offset) {
    if (shape.length > MAX_RANK) {
      throw new IllegalArgumentException("tensor rank " + shape.length + " exceeds the maximum of "
          + MAX_RANK + ": shape " + Arrays.toString(shape));
    }
    this.data = data;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
  }

  /** A fresh contiguous tensor over {@code data} (not copied). */
  static Tensor wrap(float[] data, int... shape) {
    int[] s = shape.clone();
    long n = Shapes.numel(s);
    if (n != data.length) {
      throw new IllegalArgumentException("tensor: " + data.length + " values do not fill shape "
          + Arrays.toString(shape) + " (" + n + " elements)");
    }
    return new Tensor(data, s, Shapes.contiguousStrides(s), 0);
  }

  // ---------------------------------------------------------------- factories

  /**
   * A tensor holding a copy of {@code data} in row-major order.
   *
   * @param data the values; its length must equal the product of {@code shape}
   * @param shape the shape, e.g. {@code [N, C, H, W]}; empty for a scalar
   * @return the new tensor
   * @throws IllegalArgumentException if the sizes disagree
   */
  public static Tensor of(float[] data, int... shape) {
    Shapes.check("of", shape);
    return wrap(data.clone(), shape);
  }

  /**
   * An {@link DType#INT64} tensor holding integers (labels, counters).
   *
   * @param values the values, each of magnitude at most 2^24 so float32 holds it exactly
   * @param shape the shape
   * @return the new tensor
   */
  public static Tensor ofLongs(long[] values, int... shape) {
    Shapes.check("ofLongs", shape);
    float[] d = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      if (Math.abs(values[i]) > (1 << 24)) {
        throw new IllegalArgumentException("ofLongs: value " + values[i] + " at index " + i
            + " is not exactly representable (|v| > 2^24)");
      }
      d[i] = values[i];
    }
    Tensor t = wrap(d, shape);
    t.dtype = DType.INT64;
    return t;
  }

  /**
   * A 0-d tensor.
   *
   * @param value the value
   * @return a tensor of shape {@code []}
   */
  public static Tensor scalar(float value) {
    return wrap(new float[] {value});
  }

  /**
   * A tensor of zeros.
   *
   * @param shape the shape
   * @return the new tensor
   */
  public static Tensor zeros(int... shape) {
    Shapes.check("zeros", shape);
    return wrap(new float[Shapes.numelInt(shape)], shape);
  }

  /**
   * A tensor of ones.
   *
   * @param shape the shape
   * @return the new tensor
   */
  public static Tensor ones(int... shape) {
    return full(1f, shape);
  }

  /**
   * A tensor filled with one value.
   *
   * @param value the value
   * @param shape the shape
   * @return the new tensor
   */
  public static Tensor full(float value, int... shape) {
    Shapes.check("full", shape);
    float[] d = new float[Shapes.numelInt(shape)];
    Arrays.fill(d, value);
    return wrap(d, shape);
  }

  /**
   * The values {@code 0, 1, ..., end - 1} as a 1-d tensor.
   *
   * @param end the exclusive end, non-negative
   * @return a tensor of shape {@code [end]}
   */
  public static Tensor arange(int end) {
    return arange(0, end, 1);
  }

  /**
   * The values {@code start, start + step, ...} below {@code end} (above it for a negative step).
   *
   * @param start the first value
   * @param end the exclusive bound
   * @param step the non-zero increment
   * @return a 1-d tensor
   */
  public static Tensor arange(float start, float end, float step) {
    if (step == 0 || !Float.isFinite(step)) {
      throw new IllegalArgumentException("arange: step must be finite and non-zero, got " + step);
    }
    int n = (int) Math.max(0, Math.ceil((end - start) / (double) step));
    float[] d = new float[n];
    for (int i = 0; i < n; i++) {
      d[i] = (float) (start + (double) i * step);
    }
    return wrap(d, n);
  }

  /**
   * The {@code n x n} identity matrix.
   *
   * @param n the size
   * @return a tensor of shape {@code [n, n]}
   */
  public static Tensor eye(int n) {
    Tensor t = zeros(n, n);
    for (int i = 0; i < n; i++) {
      t.data[i * n + i] = 1f;
    }
    return t;
  }

  /**
   * Uniform samples in [0, 1).
   *
   * @param gen the generator
   * @param shape the shape
   * @return the new tensor
   */
  public static Tensor rand(Generator gen, int... shape) {
    return uniform(gen, 0f, 1f, shape);
  }

  /**
   * Uniform samples in [low, high).
   *
   * @param gen the generator
   * @param low the inclusive lower bound
   * @param high the exclusive upper bound
   * @param shape the shape
   * @return the new tensor
   */
  public static Tensor uniform(Generator gen, float low, float high, int... shape) {
    Shapes.check("uniform", shape);
    float[] d = new float[Shapes.numelInt(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = low + (high - low) * gen.nextFloat();
    }
    return wrap(d, shape);
  }

  /**
   * Standard normal samples.
   *
   * @param gen the generator
   * @param shape the shape
   * @return the new tensor
   */
  public static Tensor randn(Generator gen, int... shape) {
    Shapes.check("randn", shape);
    float[] d = new float[Shapes.numelInt(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) gen.nextGaussian();
    }
    return wrap(d, shape);
  }

  // ---------------------------------------------------------------- accessors

  /**
   * The shape, e.g. {@code [N, C, H, W]}.
   *
   * @return a copy of the shape
   */
  public int[] shape() {
    return shape.clone();
  }

  /**
   * The size of one dimension.
   *
   * @param dim the dimension; negative counts from the end
   * @return its size
   */
  public int size(int dim) {
    return shape[Shapes.dim("size", dim, shape.length)];
  }

  /**
   * The number of dimensions.
   *
   * @return the rank, 0 to 8
   */
  public int dim() {
    return shape.length;
  }

  /**
   * The number of elements.
   *
   * @return the product of the shape
   */
  public int numel() {
    return Shapes.numelInt(shape);
  }

  /**
   * The strides in elements, one per dimension.
   *
   * @return a copy of the strides
   */
  public int[] strides() {
    return strides.clone();
  }

  /**
   * The element type this tensor stands for in files.
   *
   * @return {@link DType#FLOAT32} unless created as integers
   */
  public DType dtype() {
    return dtype;
  }

  /**
   * Whether the elements are laid out densely in row-major order.
   *
   * @return true for a contiguous tensor
   */
  public boolean isContiguous() {
    return Shapes.isContiguous(shape, strides);
  }

  /** Whether this tensor is contiguous and starts its array at index 0 and spans it whole. */
  boolean isDense() {
    return offset == 0 && data.length == numel() && isContiguous();
  }

  /**
   * The elements in row-major order, as a new array.
   *
   * @return a copy of the values
   */
  public float[] toFloatArray() {
    if (isContiguous()) {
      return Arrays.copyOfRange(data, offset, offset + numel());
    }
    float[] out = new float[numel()];
    Strided.copy(data, offset, strides, shape, out, 0);
    return out;
  }

  /** The row-major values: this tensor's own array when dense (callers must not write it), else a copy. */
  float[] denseData() {
    return isDense() ? data : toFloatArray();
  }

  /**
   * The value of a one-element tensor.
   *
   * @return the value
   * @throws IllegalArgumentException if the tensor has more than one element
   */
  public float item() {
    if (numel() != 1) {
      throw new IllegalArgumentException("item: tensor of shape " + Arrays.toString(shape)
          + " has " + numel() + " elements, not 1");
    }
    return data[offset];
  }

  /**
   * One element.
   *
   * @param index one index per dimension
   * @return the value
   */
  public float get(int... index) {
    return data[flatIndex("get", index)];
  }

  /**
   * Sets one element in place (outside autograd).
   *
   * @param value the value
   * @param index one index per dimension
   * @return this tensor
   */
  public Tensor set(float value, int... index) {
    data[flatIndex("set", index)] = value;
    return this;
  }

  private int flatIndex(String op, int[] index) {
    if (index.length != shape.length) {
      throw new IllegalArgumentException(op + ": " + index.length + " indices for a tensor of shape "
          + Arrays.toString(shape));
    }
    int p = offset;
    for (int d = 0; d < index.length; d++) {
      int i = index[d];
      if (i < 0 || i >= shape[d]) {
        throw new IndexOutOfBoundsException(op + ": index " + Arrays.toString(index)
            + " is out of bounds for shape " + Arrays.toString(shape));
      }
      p += i * strides[d];
    }
    return p;
  }
}
