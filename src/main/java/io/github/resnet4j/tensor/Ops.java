package io.github.resnet4j.tensor;

import io.github.resnet4j.kernels.BinaryOp;
import io.github.resnet4j.kernels.Elementwise;
import io.github.resnet4j.kernels.UnaryOp;

/** Element-wise operations with broadcasting, and their gradients. */
final class Ops {
  private Ops() {}

  /** op(x) as a new dense tensor, no graph. */
  static Tensor map(UnaryOp op, float p, float q, Tensor x) {
    float[] out = Buffers.forOutput(x.numel());
    if (x.isContiguous()) {
      Elementwise.unary(op, p, q, x.data(), x.offset, out, 0, out.length);
    } else {
      Strided.copyTo(x, out);
      Elementwise.unary(op, p, q, out, 0, out, 0, out.length);
    }
    return Tensor.wrap(out, x.shape);
  }

  /** op(a, b) with NumPy broadcasting as a new dense tensor, no graph. */
  static Tensor zip(String name, BinaryOp op, Tensor a, Tensor b) {
    int[] shape = java.util.Arrays.equals(a.shape, b.shape) ? a.shape : Shapes.broadcast(name, a.shape, b.shape);
    float[] out = Buffers.forOutput(Shapes.numelInt(shape));
    if (a.shape.length == b.shape.length && java.util.Arrays.equals(a.shape, b.shape)
        && a.isContiguous() && b.isContiguous()) {
      Elementwise.binary(op, a.data(), a.offset, b.data(), b.offset, out, 0, out.length);
    } else {
      Elementwise.binary(op, a.data(), a.offset, Shapes.broadcastStrides(name, a.shape, a.strides, shape),
          b.data(), b.offset, Shapes.broadcastStrides(name, b.shape, b.strides, shape), out, shape);
    }
    return Tensor.wrap(out, shape);
  }

  static Tensor add(Tensor a, Tensor b) {
    return Autograd.record("add", zip("add", BinaryOp.ADD, a, b), g -> new Tensor[] {g, g}, a, b);
  }

  static Tensor sub(Tensor a, Tensor b) {
    return Autograd.record("sub", zip("sub", BinaryOp.SUB, a, b), g -> new Tensor[] {g, g.neg()}, a, b);
  }

  static Tensor mul(Tensor a, Tensor b) {
    return Autograd.record("mul", zip("mul", BinaryOp.MUL, a, b),
        g -> new Tensor[] {a.requiresGrad ? g.mul(b) : null, b.requiresGrad ? g.mul(a) : null}, a, b);
  }

  static Tensor div(Tensor a, Tensor b) {
    return Autograd.record("div", zip("div", BinaryOp.DIV, a, b),
        g -> new Tensor[] {a.requiresGrad ? g.div(b) : null,
            b.requiresGrad ? g.mul(a).div(b.mul(b)).neg() : null}, a, b);
  }

  static Tensor pow(Tensor x, float e) {
    return Autograd.record("pow", map(UnaryOp.POW, e, 0, x),
        g -> new Tensor[] {g.mul(map(UnaryOp.POW, e - 1, 0, x).mul(e))}, x);
  }

  /** Element-wise power with a tensor exponent; the exponent gets no gradient. */
  static Tensor pow(Tensor x, Tensor e) {
    return Autograd.record("pow", zip("pow", BinaryOp.POW, x, e),
        g -> new Tensor[] {g.mul(zip("pow", BinaryOp.POW, x, e.sub(Tensor.scalar(1f))).mul(e)), null}, x, e);
  }

  static Tensor neg(Tensor x) {
    return Autograd.record("neg", map(UnaryOp.NEG, 0, 0, x), g -> new Tensor[] {g.neg()}, x);
  }

  static Tensor affine(Tensor x, float scale, float shift) {
    return Autograd.record("affine", map(UnaryOp.AFFINE, scale, shift, x),
        g -> new Tensor[] {map(UnaryOp.AFFINE, scale, 0, g)}, x);
  }

  static Tensor exp(Tensor x) {
    Tensor y = map(UnaryOp.EXP, 0, 0, x);
    return Autograd.record("exp", y, g -> new Tensor[] {g.mul(y)}, x);
  }

  static Tensor log(Tensor x) {
    return Autograd.record("log", map(UnaryOp.LOG, 0, 0, x), g -> new Tensor[] {g.div(x)}, x);
  }

  static Tensor sqrt(Tensor x) {
    Tensor y = map(UnaryOp.SQRT, 0, 0, x);
    return Autograd.record("sqrt", y, g -> new Tensor[] {g.div(y).mul(0.5f)}, x);
  }

  static Tensor abs(Tensor x) {
    return Autograd.record("abs", map(UnaryOp.ABS, 0, 0, x),
        g -> new Tensor[] {g.mul(map(UnaryOp.SIGN, 0, 0, x))}, x);
  }

  static Tensor relu(Tensor x) {
    // The mask comes from the output (y > 0 exactly where x > 0), which the next layer keeps anyway,
    // so the input can be collected: after a residual add it is a full activation nobody else needs.
    Tensor y = map(UnaryOp.RELU, 0, 0, x);
    return Autograd.record("relu", y, g -> new Tensor[] {zip("relu", BinaryOp.RELU_GRAD, y, g)}, x);
  }

  /** relu(a + b) as one node, for residual blocks: one pass and one stored activation instead of two. */
  static Tensor addRelu(Tensor a, Tensor b) {
    Tensor y = zip("addRelu", BinaryOp.ADD_RELU, a, b);
    return Autograd.record("addRelu", y, g -> {
      Tensor masked = zip("addRelu", BinaryOp.RELU_GRAD, y, g);
      return new Tensor[] {masked, masked};
    }, a, b);
  }

  static Tensor sigmoid(Tensor x) {
    Tensor y = map(UnaryOp.SIGMOID, 0, 0, x);
    return Autograd.record("sigmoid", y,
        g -> new Tensor[] {g.mul(y).mul(map(UnaryOp.AFFINE, -1f, 1f, y))}, x);
  }

  static Tensor tanh(Tensor x) {
    Tensor y = map(UnaryOp.TANH, 0, 0, x);
    return Autograd.record("tanh", y,
        g -> new Tensor[] {g.mul(map(UnaryOp.AFFINE, -1f, 1f, y.mul(y)))}, x);
  }

  static Tensor clamp(Tensor x, float low, float high) {
    if (low > high) {
      throw new IllegalArgumentException("clamp: low " + low + " is greater than high " + high);
    }
    return Autograd.record("clamp", map(UnaryOp.CLAMP, low, high, x),
        g -> new Tensor[] {g.mul(zip("clamp", BinaryOp.GE, x, Tensor.scalar(low))
            .mul(zip("clamp", BinaryOp.LE, x, Tensor.scalar(high))))}, x);
  }

  /** Element-wise max; where a == b each side gets half the gradient, as in PyTorch. */
  static Tensor maximum(Tensor a, Tensor b) {
    return Autograd.record("maximum", zip("maximum", BinaryOp.MAX, a, b),
        g -> new Tensor[] {g.mul(winnerWeight(a, b)), g.mul(winnerWeight(b, a))}, a, b);
  }

  static Tensor minimum(Tensor a, Tensor b) {
    return Autograd.record("minimum", zip("minimum", BinaryOp.MIN, a, b),
        g -> new Tensor[] {g.mul(winnerWeight(b, a)), g.mul(winnerWeight(a, b))}, a, b);
  }

  /** 1 where a &gt; b, 0.5 where equal, 0 where a &lt; b. */
  private static Tensor winnerWeight(Tensor a, Tensor b) {
    return zip("maximum", BinaryOp.GT, a, b).add(zip("maximum", BinaryOp.EQ, a, b).mul(0.5f));
  }
}
