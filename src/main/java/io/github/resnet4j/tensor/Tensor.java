package io.github.resnet4j.tensor;

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

  /** The array, shared with this tensor's views; read it through {@link #data()}. */
  private final Storage storage;
  private static final String GRADIENT_CLEARED = "by zeroGrad(), which cleared this gradient; copy a gradient"
      + " (toFloatArray(), or copyFrom into a tensor of your own) before zeroGrad() to keep it";
  final int[] shape;
  final int[] strides;
  final int offset;
  private DType dtype = DType.FLOAT32;

  boolean requiresGrad;
  Tensor grad;
  /** Whether {@link #grad} was computed inside a {@link StepScope}, whose promise lets zeroGrad recycle it. */
  boolean gradFromScope;
  Node node;

  /** A tensor over a fresh array (no other tensor's storage). */
  Tensor(float[] data, int[] shape, int[] strides, int offset) {
    this(new Storage(data), shape, strides, offset);
    StepScope.register(storage);
  }

  /** A view: another shape, strides or offset over {@code base}'s storage. */
  Tensor(Tensor base, int[] shape, int[] strides, int offset) {
    this(base.liveStorage(), shape, strides, offset);
  }

  private Tensor(Storage storage, int[] shape, int[] strides, int offset) {
    if (shape.length > MAX_RANK) {
      throw new IllegalArgumentException("tensor rank " + shape.length + " exceeds the maximum of "
          + MAX_RANK + ": shape " + Arrays.toString(shape));
    }
    this.storage = storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
  }

  /** A fresh contiguous tensor over {@code data} (not copied). */
  static Tensor wrap(float[] data, int... shape) {
    long n = Shapes.numel(shape);
    if (n != data.length) {
      throw new IllegalArgumentException("tensor: " + data.length + " values do not fill shape "
          + Arrays.toString(shape) + " (" + n + " elements)");
    }
    Shapes.Contiguous layout = Shapes.contiguous(shape);
    return new Tensor(data, layout.shape, layout.strides, 0);
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
      t.data()[i * n + i] = 1f;
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

  /**
   * The storage array, shared with every view of this tensor.
   *
   * @throws IllegalStateException if a {@link StepScope} or {@link #zeroGrad()} recycled it: reading it would
   *     see another step's values
   */
  float[] data() {
    float[] v = storage.values;
    if (v == null) {
      throw new IllegalStateException("tensor of shape " + Shapes.str(shape) + ": its memory was recycled "
          + storage.releasedBecause);
    }
    return v;
  }

  /** The storage, for a view; checked like {@link #data()}, so no view is made of recycled memory. */
  private Storage liveStorage() {
    data();
    return storage;
  }

  /** Whether this tensor is contiguous and starts its array at index 0 and spans it whole. */
  boolean isDense() {
    return offset == 0 && data().length == numel() && isContiguous();
  }

  /**
   * The elements in row-major order, as a new array.
   *
   * @return a copy of the values
   */
  public float[] toFloatArray() {
    if (isContiguous()) {
      return Arrays.copyOfRange(data(), offset, offset + numel());
    }
    float[] out = new float[numel()];
    Strided.copyTo(this, out);
    return out;
  }

  /** The row-major values: this tensor's own array when dense (callers must not write it), else a copy. */
  float[] denseData() {
    return isDense() ? data() : toFloatArray();
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
    return data()[offset];
  }

  /**
   * One element.
   *
   * @param index one index per dimension
   * @return the value
   */
  public float get(int... index) {
    return data()[flatIndex("get", index)];
  }

  /**
   * Sets one element in place (outside autograd).
   *
   * @param value the value
   * @param index one index per dimension
   * @return this tensor
   */
  public Tensor set(float value, int... index) {
    data()[flatIndex("set", index)] = value;
    storage.version++;
    return this;
  }

  /**
   * How many in-place changes this tensor's memory has seen, counting those made through any view of it (as
   * PyTorch's {@code _version}): a value computed from the tensor (BatchNorm folded into a convolution's
   * weights, say) is stale once this differs from the count it was computed at.
   *
   * @return a count that only grows; equal counts mean unchanged values
   */
  public long version() {
    return storage.version;
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

  /** A dense copy with a fresh array (never shares storage). */
  Tensor contiguousCopy() {
    // Gradients are copied this way (a broadcast one is a view): a pooled array lets backward recycle it.
    float[] out = Buffers.forOutput(numel());
    Strided.copyTo(this, out);
    return wrap(out, shape);
  }

  /** The same values tagged with another file dtype. */
  Tensor asType(DType type) {
    Tensor t = new Tensor(this, shape, strides, offset);
    t.dtype = type;
    return t;
  }

  // ---------------------------------------------------------------- autograd

  /**
   * Marks this leaf tensor as one whose gradient {@link #backward()} computes.
   *
   * @param requiresGrad whether to track gradients
   * @return this tensor
   * @throws IllegalStateException when called on a non-leaf (a tensor computed by a tracked op)
   */
  public Tensor requiresGrad(boolean requiresGrad) {
    if (node != null) {
      throw new IllegalStateException("requiresGrad: only leaf tensors can change this flag; use detach()");
    }
    this.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Whether gradients flow to this tensor.
   *
   * @return true for tracked leaves and for results of tracked ops
   */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /**
   * Whether this tensor was created by the user rather than computed by a tracked op.
   *
   * @return true for leaves
   */
  public boolean isLeaf() {
    return node == null;
  }

  /**
   * The accumulated gradient of a leaf, same shape as the tensor.
   *
   * @return the gradient, or null before any backward pass reached it
   */
  public Tensor grad() {
    return grad;
  }

  /**
   * Replaces the gradient (for optimizers driven by gradients computed elsewhere).
   *
   * @param gradient a tensor of this tensor's shape, or null to clear
   */
  public void setGrad(Tensor gradient) {
    if (gradient != null && !Arrays.equals(gradient.shape, shape)) {
      throw new IllegalArgumentException("setGrad: gradient of shape " + Shapes.str(gradient.shape)
          + " for a tensor of shape " + Shapes.str(shape));
    }
    this.grad = gradient == null ? null : gradient.contiguousCopy();
    gradFromScope = false; // set, not computed in a scope: zeroGrad leaves it readable
  }

  /**
   * Clears the accumulated gradient: {@link #grad()} returns null until the next backward pass reaches this
   * tensor. A gradient that backward computed inside a {@link StepScope} has its memory handed to the next
   * backward pass, so that training steps do not allocate a fresh gradient each: such a gradient tensor
   * obtained earlier from {@link #grad()}, and its views, throw an {@link IllegalStateException} when read
   * afterwards (copy it first, with {@link #toFloatArray()} or {@link #copyFrom(Tensor)}, to keep it). Gradients
   * computed outside any scope stay readable.
   */
  public void zeroGrad() {
    Tensor old = grad;
    grad = null;
    if (old != null && gradFromScope) {
      gradFromScope = false;
      float[] a = old.storage.values;
      if (a != null) {
        old.storage.release(GRADIENT_CLEARED);
        Buffers.recycle(a);
      }
    }
  }

  /**
   * Back-propagates from this scalar (d self / d self = 1), accumulating into the leaves' gradients,
   * then frees the graph.
   */
  public void backward() {
    if (numel() != 1) {
      throw new IllegalArgumentException("backward: a gradient can only be implied for a one-element output,"
          + " but the shape is " + Shapes.str(shape) + "; pass an upstream gradient");
    }
    backward(full(1f, shape), false);
  }

  /**
   * Back-propagates {@code upstream} (d loss / d this) through the graph, then frees the graph.
   *
   * @param upstream a tensor of this tensor's shape
   */
  public void backward(Tensor upstream) {
    backward(upstream, false);
  }

  /**
   * Back-propagates {@code upstream}; with {@code retainGraph} the graph can be walked again.
   *
   * @param upstream a tensor of this tensor's shape
   * @param retainGraph keep the intermediate buffers for another backward pass
   */
  public void backward(Tensor upstream, boolean retainGraph) {
    Autograd.backward(this, upstream, retainGraph);
  }

  /**
   * The same values, cut from the graph: a leaf that does not require grad, sharing storage.
   *
   * @return the detached view
   */
  public Tensor detach() {
    Tensor t = new Tensor(this, shape, strides, offset);
    t.dtype = dtype;
    return t;
  }

  // ---------------------------------------------------------------- element-wise (broadcasting)

  /**
   * Element-wise sum with NumPy broadcasting.
   *
   * @param other the other operand
   * @return this + other
   */
  public Tensor add(Tensor other) {
    return Ops.add(this, other);
  }

  /**
   * Adds a constant.
   *
   * @param value the constant
   * @return this + value
   */
  public Tensor add(float value) {
    return Ops.affine(this, 1f, value);
  }

  /**
   * Element-wise difference with broadcasting.
   *
   * @param other the subtrahend
   * @return this - other
   */
  public Tensor sub(Tensor other) {
    return Ops.sub(this, other);
  }

  /**
   * Subtracts a constant.
   *
   * @param value the constant
   * @return this - value
   */
  public Tensor sub(float value) {
    return Ops.affine(this, 1f, -value);
  }

  /**
   * Element-wise product with broadcasting.
   *
   * @param other the other factor
   * @return this * other
   */
  public Tensor mul(Tensor other) {
    return Ops.mul(this, other);
  }

  /**
   * Multiplies by a constant.
   *
   * @param value the constant
   * @return this * value
   */
  public Tensor mul(float value) {
    return Ops.affine(this, value, 0f);
  }

  /**
   * Element-wise quotient with broadcasting.
   *
   * @param other the divisor
   * @return this / other
   */
  public Tensor div(Tensor other) {
    return Ops.div(this, other);
  }

  /**
   * Divides by a constant.
   *
   * @param value the constant
   * @return this / value
   */
  public Tensor div(float value) {
    return Ops.div(this, scalar(value));
  }

  /**
   * Negation.
   *
   * @return -this
   */
  public Tensor neg() {
    return Ops.neg(this);
  }

  /**
   * Element-wise power with a constant exponent.
   *
   * @param exponent the exponent
   * @return this^exponent
   */
  public Tensor pow(float exponent) {
    return Ops.pow(this, exponent);
  }

  /**
   * Element-wise power with broadcasting; the exponent receives no gradient.
   *
   * @param exponent the exponents
   * @return this^exponent
   */
  public Tensor pow(Tensor exponent) {
    return Ops.pow(this, exponent);
  }

  /**
   * e^x.
   *
   * @return the exponential
   */
  public Tensor exp() {
    return Ops.exp(this);
  }

  /**
   * Natural logarithm.
   *
   * @return ln x
   */
  public Tensor log() {
    return Ops.log(this);
  }

  /**
   * Square root.
   *
   * @return sqrt x
   */
  public Tensor sqrt() {
    return Ops.sqrt(this);
  }

  /**
   * Absolute value (gradient 0 at 0).
   *
   * @return |x|
   */
  public Tensor abs() {
    return Ops.abs(this);
  }

  /**
   * max(x, 0); the gradient at exactly 0 is 0, as in PyTorch.
   *
   * @return the rectified tensor
   */
  public Tensor relu() {
    return Ops.relu(this);
  }

  /**
   * The logistic function 1 / (1 + e^-x).
   *
   * @return the sigmoid
   */
  public Tensor sigmoid() {
    return Ops.sigmoid(this);
  }

  /**
   * Hyperbolic tangent.
   *
   * @return tanh x
   */
  public Tensor tanh() {
    return Ops.tanh(this);
  }

  /**
   * Limits values to [low, high]; the gradient passes where low &lt;= x &lt;= high.
   *
   * @param low the lower bound
   * @param high the upper bound
   * @return the clamped tensor
   */
  public Tensor clamp(float low, float high) {
    return Ops.clamp(this, low, high);
  }

  /**
   * Element-wise maximum with broadcasting (ties share the gradient).
   *
   * @param other the other operand
   * @return max(this, other)
   */
  public Tensor maximum(Tensor other) {
    return Ops.maximum(this, other);
  }

  /**
   * Element-wise minimum with broadcasting (ties share the gradient).
   *
   * @param other the other operand
   * @return min(this, other)
   */
  public Tensor minimum(Tensor other) {
    return Ops.minimum(this, other);
  }

  /**
   * Mask of {@code this > other}: 1 where true, 0 elsewhere (no gradient).
   *
   * @param other the other operand, broadcast
   * @return the mask
   */
  public Tensor gt(Tensor other) {
    return Ops.zip("gt", io.github.resnet4j.kernels.BinaryOp.GT, this, other);
  }

  /**
   * Mask of {@code this < other} (no gradient).
   *
   * @param other the other operand, broadcast
   * @return the mask
   */
  public Tensor lt(Tensor other) {
    return Ops.zip("lt", io.github.resnet4j.kernels.BinaryOp.LT, this, other);
  }

  /**
   * Mask of {@code this >= other} (no gradient).
   *
   * @param other the other operand, broadcast
   * @return the mask
   */
  public Tensor ge(Tensor other) {
    return Ops.zip("ge", io.github.resnet4j.kernels.BinaryOp.GE, this, other);
  }

  /**
   * Mask of {@code this <= other} (no gradient).
   *
   * @param other the other operand, broadcast
   * @return the mask
   */
  public Tensor le(Tensor other) {
    return Ops.zip("le", io.github.resnet4j.kernels.BinaryOp.LE, this, other);
  }

  /**
   * Mask of {@code this == other} (no gradient).
   *
   * @param other the other operand, broadcast
   * @return the mask
   */
  public Tensor eq(Tensor other) {
    return Ops.zip("eq", io.github.resnet4j.kernels.BinaryOp.EQ, this, other);
  }

  // ---------------------------------------------------------------- in place (outside autograd)

  /** Called by every in-place write before it writes, so that {@link #version()} counts it. */
  private void checkWritable(String op) {
    if (requiresGrad && node != null && NoGrad.isGradEnabled()) {
      throw new IllegalStateException(op + ": in-place change of a tensor inside the autograd graph;"
          + " do it on a leaf or in a NoGrad scope");
    }
    storage.version++;
  }

  /**
   * In place: {@code this += other} (other broadcast to this shape). Not recorded by autograd.
   *
   * @param other the addend
   * @return this tensor
   */
  public Tensor addInPlace(Tensor other) {
    return inPlaceGeneric("addInPlace", io.github.resnet4j.kernels.BinaryOp.ADD, other);
  }

  /**
   * In place: {@code this += alpha * other} (other broadcast). Not recorded by autograd.
   *
   * @param alpha the scale
   * @param other the addend
   * @return this tensor
   */
  public Tensor addInPlace(float alpha, Tensor other) {
    if (canOverwriteFrom(other)) {
      // Optimizers call this for every parameter on every step: one pass, no temporary, same rounding.
      return addScaledDense(alpha, other.data(), other.offset);
    }
    return addInPlace(other.detach().mul(alpha));
  }

  /**
   * {@link #addInPlace(float, Tensor)} with the addend's values in row-major order of this shape, without
   * wrapping them in a tensor (BatchNorm's running statistics, every step).
   */
  Tensor addInPlace(float alpha, float[] values) {
    if (isDense() && values.length == numel()) {
      return addScaledDense(alpha, values, 0);
    }
    return addInPlace(alpha, wrap(values, shape));
  }

  /** {@code this += alpha * source[sourceOff ..]} element by element, this being dense: one pass, in place. */
  private Tensor addScaledDense(float alpha, float[] source, int sourceOff) {
    checkWritable("addInPlace");
    io.github.resnet4j.kernels.Elementwise.addScaled(data(), 0, alpha, source, sourceOff, data(), 0, numel());
    return this;
  }

  /**
   * In place: {@code this -= other}. Not recorded by autograd.
   *
   * @param other the subtrahend
   * @return this tensor
   */
  public Tensor subInPlace(Tensor other) {
    return inPlaceGeneric("subInPlace", io.github.resnet4j.kernels.BinaryOp.SUB, other);
  }

  /**
   * In place: {@code this /= other} (broadcast). Not recorded by autograd.
   *
   * @param other the divisor
   * @return this tensor
   */
  public Tensor divInPlace(Tensor other) {
    return inPlaceGeneric("divInPlace", io.github.resnet4j.kernels.BinaryOp.DIV, other);
  }

  /**
   * In place: every element replaced by its square root (NaN for negative ones). Not recorded by autograd.
   *
   * @return this tensor
   */
  public Tensor sqrtInPlace() {
    checkWritable("sqrtInPlace");
    if (isContiguous()) {
      io.github.resnet4j.kernels.Elementwise.unary(io.github.resnet4j.kernels.UnaryOp.SQRT, 0, 0, data(), offset,
          data(), offset, numel());
      return this;
    }
    float[] dense = toFloatArray();
    io.github.resnet4j.kernels.Elementwise.unary(io.github.resnet4j.kernels.UnaryOp.SQRT, 0, 0, dense, 0, dense, 0,
        dense.length);
    io.github.resnet4j.kernels.Strided.scatter(dense, data(), offset, strides, shape);
    return this;
  }

  /**
   * In place: {@code this *= other} (broadcast). Not recorded by autograd.
   *
   * @param other the factor
   * @return this tensor
   */
  public Tensor mulInPlace(Tensor other) {
    return inPlaceGeneric("mulInPlace", io.github.resnet4j.kernels.BinaryOp.MUL, other);
  }

  /**
   * In place: {@code this *= value}. Not recorded by autograd.
   *
   * @param value the factor
   * @return this tensor
   */
  public Tensor mulInPlace(float value) {
    if (isContiguous()) {
      checkWritable("mulInPlace");
      // SGD's momentum decay runs this per parameter per step: no scalar tensor, same products.
      io.github.resnet4j.kernels.Elementwise.unary(io.github.resnet4j.kernels.UnaryOp.SCALE, value, 0, data(),
          offset, data(), offset, numel());
      return this;
    }
    return inPlaceGeneric("mulInPlace", io.github.resnet4j.kernels.BinaryOp.MUL, scalar(value));
  }

  /**
   * In place: every element set to {@code value}. Not recorded by autograd.
   *
   * @param value the value
   * @return this tensor
   */
  public Tensor fill(float value) {
    return copyFrom(scalar(value));
  }

  /**
   * In place: every element set to 0. Not recorded by autograd.
   *
   * @return this tensor
   */
  public Tensor zero() {
    return fill(0f);
  }

  /**
   * In place: copies {@code source} (broadcast to this shape) into this tensor, which may be a view.
   * Not recorded by autograd.
   *
   * @param source the values
   * @return this tensor
   */
  public Tensor copyFrom(Tensor source) {
    checkWritable("copyFrom");
    if (canOverwriteFrom(source)) {
      System.arraycopy(source.data(), source.offset, data(), 0, numel());
      return this;
    }
    int[] srcStrides = Shapes.broadcastStrides("copyFrom", source.shape, source.strides, shape);
    float[] dense = new float[numel()];
    io.github.resnet4j.kernels.Strided.copy(source.data(), source.offset, srcStrides, shape, dense, 0);
    io.github.resnet4j.kernels.Strided.scatter(dense, data(), offset, strides, shape);
    return this;
  }

  /**
   * Whether an element-wise kernel may write this tensor's array directly while reading {@code other} at
   * the same indices, in one dense pass split across threads: this is dense and other is contiguous with the
   * same shape. Density is what makes it safe: this covers its whole array, so an other of the same shape in
   * that array is this very tensor, each element read and written at one index. A view over part of an
   * array is not dense, and another view of it one chunk further on would have a chunk read what another
   * chunk already wrote.
   */
  private boolean canOverwriteFrom(Tensor other) {
    return isDense() && other.isContiguous() && Arrays.equals(shape, other.shape);
  }

  private Tensor inPlaceGeneric(String op, io.github.resnet4j.kernels.BinaryOp fn, Tensor other) {
    checkWritable(op);
    if (canOverwriteFrom(other)) { // equal shapes: nothing to broadcast, no strides to allocate
      io.github.resnet4j.kernels.Elementwise.binary(fn, data(), 0, other.data(), other.offset, data(), 0, numel());
      return this;
    }
    int[] otherStrides = Shapes.broadcastStrides(op, other.shape, other.strides, shape);
    if (isDense() && other.data() != data()) {
      // Each element is read and written at the same index, so the result can go straight into this array
      // (optimizer updates run every step; a copy per parameter would be garbage every step).
      io.github.resnet4j.kernels.Elementwise.binary(fn, data(), 0, strides, other.data(), other.offset,
          otherStrides, data(), shape);
      return this;
    }
    float[] result = new float[numel()];
    io.github.resnet4j.kernels.Elementwise.binary(fn, data(), offset, strides, other.data(), other.offset,
        otherStrides, result, shape);
    io.github.resnet4j.kernels.Strided.scatter(result, data(), offset, strides, shape);
    return this;
  }

  // ---------------------------------------------------------------- reductions

  /**
   * Sum of all elements.
   *
   * @return a 0-d tensor
   */
  public Tensor sum() {
    return Reductions.sum(this, new int[0], false);
  }

  /**
   * Sum over one dimension, which is removed.
   *
   * @param dim the dimension; negative counts from the end
   * @return the reduced tensor
   */
  public Tensor sum(int dim) {
    return Reductions.sum(this, new int[] {dim}, false);
  }

  /**
   * Sum over several dimensions.
   *
   * @param dims the dimensions (empty: all)
   * @param keepDim keep them with size 1
   * @return the reduced tensor
   */
  public Tensor sum(int[] dims, boolean keepDim) {
    return Reductions.sum(this, dims, keepDim);
  }

  /**
   * Mean of all elements.
   *
   * @return a 0-d tensor
   */
  public Tensor mean() {
    return Reductions.mean(this, new int[0], false);
  }

  /**
   * Mean over one dimension, which is removed.
   *
   * @param dim the dimension
   * @return the reduced tensor
   */
  public Tensor mean(int dim) {
    return Reductions.mean(this, new int[] {dim}, false);
  }

  /**
   * Mean over several dimensions.
   *
   * @param dims the dimensions (empty: all)
   * @param keepDim keep them with size 1
   * @return the reduced tensor
   */
  public Tensor mean(int[] dims, boolean keepDim) {
    return Reductions.mean(this, dims, keepDim);
  }

  /**
   * Variance of all elements.
   *
   * @param unbiased divide by n - 1 (true, PyTorch's default) or by n
   * @return a 0-d tensor
   */
  public Tensor var(boolean unbiased) {
    return Reductions.var(this, new int[0], unbiased, false);
  }

  /**
   * Variance over several dimensions.
   *
   * @param dims the dimensions (empty: all)
   * @param unbiased divide by n - 1 (true) or by n
   * @param keepDim keep them with size 1
   * @return the reduced tensor
   */
  public Tensor var(int[] dims, boolean unbiased, boolean keepDim) {
    return Reductions.var(this, dims, unbiased, keepDim);
  }

  /**
   * Maximum of all elements.
   *
   * @return a 0-d tensor
   */
  public Tensor max() {
    return Reductions.max(reshape(-1), 0, false)[0];
  }

  /**
   * Maximum along a dimension; the gradient goes to the first maximal entry.
   *
   * @param dim the dimension
   * @param keepDim keep it with size 1
   * @return the maxima
   */
  public Tensor max(int dim, boolean keepDim) {
    return Reductions.max(this, dim, keepDim)[0];
  }

  /**
   * Index of the first maximum along a dimension, which is removed.
   *
   * @param dim the dimension
   * @return an {@link DType#INT64} tensor of indices
   */
  public Tensor argmax(int dim) {
    return Reductions.max(detach(), dim, false)[1];
  }

  /**
   * {@code log(sum(exp(x)))} along a dimension, computed stably.
   *
   * @param dim the dimension
   * @param keepDim keep it with size 1
   * @return the reduced tensor
   */
  public Tensor logSumExp(int dim, boolean keepDim) {
    return Reductions.logSumExp(this, new int[] {dim}, keepDim);
  }

  /**
   * Softmax along a dimension.
   *
   * @param dim the dimension
   * @return probabilities summing to 1 along dim
   */
  public Tensor softmax(int dim) {
    return Reductions.softmax(this, dim);
  }

  /**
   * Log-softmax along a dimension, computed stably.
   *
   * @param dim the dimension
   * @return log-probabilities
   */
  public Tensor logSoftmax(int dim) {
    return Reductions.logSoftmax(this, dim);
  }

  // ---------------------------------------------------------------- linear algebra

  /**
   * Matrix product as torch.matmul: 2-d [M, K] x [K, N] = [M, N]; leading batch dimensions broadcast;
   * 1-d operands are promoted and the added dimension removed.
   *
   * @param other the right operand
   * @return the product
   */
  public Tensor matmul(Tensor other) {
    return LinAlg.matmul(this, other);
  }

  /**
   * Transpose of a 2-d tensor (a view).
   *
   * @return [N, M] for a [M, N] tensor
   */
  public Tensor t() {
    if (shape.length != 2) {
      throw new IllegalArgumentException("t: expects a 2-d tensor, got shape " + Shapes.str(shape));
    }
    return Views.transpose(this, 0, 1);
  }

  // ---------------------------------------------------------------- views

  /**
   * The same elements in a new shape; a view when possible, else a copy. One size may be -1.
   *
   * @param newShape the shape
   * @return the reshaped tensor
   */
  public Tensor reshape(int... newShape) {
    return Views.reshape(this, newShape);
  }

  /**
   * A view with a new shape; the tensor must be contiguous. One size may be -1.
   *
   * @param newShape the shape
   * @return the view
   */
  public Tensor view(int... newShape) {
    return Views.view(this, newShape, "view");
  }

  /**
   * Reorders dimensions (a view).
   *
   * @param dims a permutation of the dimensions
   * @return the view
   */
  public Tensor permute(int... dims) {
    return Views.permute(this, dims);
  }

  /**
   * Swaps two dimensions (a view).
   *
   * @param dim0 one dimension
   * @param dim1 the other
   * @return the view
   */
  public Tensor transpose(int dim0, int dim1) {
    return Views.transpose(this, dim0, dim1);
  }

  /**
   * The slice {@code [start, start + length)} of a dimension (a view).
   *
   * @param dim the dimension
   * @param start first index
   * @param length number of indices
   * @return the view
   */
  public Tensor narrow(int dim, int start, int length) {
    return Views.narrow(this, dim, start, length);
  }

  /**
   * Broadcasts size-1 dimensions (and new leading ones) to {@code shape} without copying.
   *
   * @param newShape the target shape
   * @return the view
   */
  public Tensor expand(int... newShape) {
    return Views.expand(this, newShape);
  }

  /**
   * Same as {@link #expand(int...)}, under NumPy's name.
   *
   * @param newShape the target shape
   * @return the view
   */
  public Tensor broadcastTo(int... newShape) {
    return Views.expand(this, newShape);
  }

  /**
   * Removes every size-1 dimension (a view).
   *
   * @return the view
   */
  public Tensor squeeze() {
    return Views.squeezeAll(this);
  }

  /**
   * Removes one dimension if its size is 1 (a view).
   *
   * @param dim the dimension
   * @return the view, or this tensor if the size is not 1
   */
  public Tensor squeeze(int dim) {
    return Views.squeeze(this, dim);
  }

  /**
   * Inserts a size-1 dimension at {@code dim} (a view).
   *
   * @param dim position in the result, -1 for last
   * @return the view
   */
  public Tensor unsqueeze(int dim) {
    return Views.unsqueeze(this, dim);
  }

  /**
   * Merges dimensions {@code startDim..end} into one, e.g. [N, C, H, W] to [N, C*H*W] with startDim 1.
   *
   * @param startDim the first merged dimension
   * @return the reshaped tensor
   */
  public Tensor flatten(int startDim) {
    int d = Shapes.dim("flatten", startDim, Math.max(shape.length, 1));
    if (shape.length == 0) {
      return reshape(1);
    }
    int[] s = Arrays.copyOf(shape, d + 1);
    s[d] = -1;
    if (numel() == 0) {
      s[d] = 0;
    }
    return reshape(s);
  }

  /**
   * This tensor if it is contiguous, else a dense copy (with gradient).
   *
   * @return a contiguous tensor
   */
  public Tensor contiguous() {
    return Views.contiguous(this);
  }

  // ---------------------------------------------------------------- joining and indexing

  /**
   * Concatenates tensors along an existing dimension.
   *
   * @param tensors tensors equal in shape except along dim
   * @param dim the dimension
   * @return the concatenation
   */
  public static Tensor cat(java.util.List<Tensor> tensors, int dim) {
    return Joins.cat(tensors, dim);
  }

  /**
   * Stacks equal-shaped tensors along a new dimension.
   *
   * @param tensors the tensors
   * @param dim position of the new dimension
   * @return the stack
   */
  public static Tensor stack(java.util.List<Tensor> tensors, int dim) {
    return Joins.stack(tensors, dim);
  }

  /**
   * Splits along a dimension into views of the given sizes.
   *
   * @param sizes sizes that add up to the dimension's size
   * @param dim the dimension
   * @return the views
   */
  public Tensor[] split(int[] sizes, int dim) {
    return Joins.split(this, sizes, dim);
  }

  /**
   * Selects slices along a dimension.
   *
   * @param dim the dimension
   * @param index 1-d integer indices
   * @return the selection, with dim's size equal to the index length
   */
  public Tensor indexSelect(int dim, Tensor index) {
    return Joins.indexSelect(this, dim, index);
  }

  /**
   * Gathers values along a dimension as torch.gather.
   *
   * @param dim the dimension
   * @param index integer indices, same rank as this tensor
   * @return a tensor shaped like index
   */
  public Tensor gather(int dim, Tensor index) {
    return Joins.gather(this, dim, index);
  }

  /**
   * One-hot encoding of integer labels.
   *
   * @param labels integer labels, any shape S
   * @param classes the number of classes
   * @return a float tensor of shape S + [classes]
   */
  public static Tensor oneHot(Tensor labels, int classes) {
    return Joins.oneHot(labels, classes);
  }

  // ---------------------------------------------------------------- comparing and printing

  /**
   * Whether every element satisfies {@code |this - other| <= atol + rtol * |other|} (NaN never does), and
   * the shapes are equal.
   *
   * @param other the expected values
   * @param rtol relative tolerance
   * @param atol absolute tolerance
   * @return true when close
   */
  public boolean allClose(Tensor other, double rtol, double atol) {
    if (!Arrays.equals(shape, other.shape)) {
      return false;
    }
    float[] a = toFloatArray();
    float[] b = other.toFloatArray();
    for (int i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Prints like PyTorch: nested brackets, four decimals, long dimensions cut with "...", then the shape.
   *
   * @return e.g. {@code tensor([[1.0000, 2.0000]], shape=[1, 2])}
   */
  @Override
  public String toString() {
    return TensorFormat.format(this);
  }
}
