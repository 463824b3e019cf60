package io.github.resnet4j.kernels;

/** The two-operand element-wise functions {@link Elementwise} applies. */
public enum BinaryOp {
  /** a + b. */
  ADD,
  /** a - b. */
  SUB,
  /** a * b. */
  MUL,
  /** a / b. */
  DIV,
  /** max(a, b). */
  MAX,
  /** min(a, b). */
  MIN,
  /** a raised to b. */
  POW,
  /** 1 where a &gt; b, else 0. */
  GT,
  /** 1 where a &lt; b, else 0. */
  LT,
  /** 1 where a &gt;= b, else 0. */
  GE,
  /** 1 where a &lt;= b, else 0. */
  LE,
  /** 1 where a == b, else 0. */
  EQ,
  /** b where a &gt; 0, else 0: the ReLU backward with a the input and b the gradient. */
  RELU_GRAD,
  /** max(a + b, 0), the sum rounded to float first: a residual block's add and ReLU in one pass. */
  ADD_RELU
}
