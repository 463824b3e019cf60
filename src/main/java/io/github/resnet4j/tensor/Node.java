package io.github.resnet4j.tensor;

/**
 * One recorded operation of the autograd graph: the op's inputs and the closure that turns the gradient
 * of its output into gradients of its inputs.
 */
final class Node {
  /**
   * Maps d(loss)/d(output) to d(loss)/d(input_i) for each input, null where an input gets none. A result
   * is the incoming gradient, a view of it, or a fresh tensor: never a tensor the forward pass saved,
   * because the engine accumulates into what it is given.
   */
  interface Backward {
    Tensor[] apply(Tensor gradOutput);
  }

  final String op;
  final Tensor[] inputs;
  private Backward backward;

  Node(String op, Tensor[] inputs, Backward backward) {
    this.op = op;
    this.inputs = inputs;
    this.backward = backward;
  }

  Tensor[] apply(Tensor gradOutput) {
    if (backward == null) {
      throw new IllegalStateException("backward through the graph a second time (at op '" + op
          + "'): its intermediate buffers were already freed; call backward(upstream, true) the first"
          + " time to retain the graph");
    }
    return backward.apply(gradOutput);
  }

  /** Drops the closure and with it the tensors it saved, so their memory can be reclaimed. */
  void release() {
    backward = null;
  }
}
