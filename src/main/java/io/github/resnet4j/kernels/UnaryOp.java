package io.github.resnet4j.kernels;

/** The one-operand element-wise functions {@link Elementwise} applies; p and q are their parameters. */
public enum UnaryOp {
  /** -x. */
  NEG,
  /** e^x. */
  EXP,
  /** ln x. */
  LOG,
  /** sqrt x. */
  SQRT,
  /** |x|. */
  ABS,
  /** max(x, 0). */
  RELU,
  /** 1 / (1 + e^-x). */
  SIGMOID,
  /** tanh x. */
  TANH,
  /** min(max(x, p), q). */
  CLAMP,
  /** x * p + q. */
  AFFINE,
  /** x * p: a multiply by a scalar, keeping the sign of a zero product (AFFINE's {@code + 0} would not). */
  SCALE,
  /** x^p. */
  POW,
  /** sign of x (0 at 0). */
  SIGN
}
