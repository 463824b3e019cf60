package io.github.resnet4j.tensor;

/**
 * One recorded operation of the autograd graph: where each input's gradient goes and the closure that
 * turns the gradient of the op's output into gradients of its inputs.
 *
 * <p>A node refers to the nodes that produced its inputs, not to the input tensors themselves (except
 * leaves, which outlive the graph anyway): as in PyTorch, an intermediate result's data stays alive only
 * while some closure saved it for backward, not merely because it was an input to a later op. Inside a
 * {@link StepScope} a node also holds the scope's arrays it touches, which the scope recycles anyway: backward
 * then hands each back as soon as the last node touching it has run.
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
  /** For input i: the node that produced it, or null if it is a leaf or needs no gradient. */
  final Node[] inputNodes;
  /** For input i: the leaf tensor whose gradient it is, or null if it is not a leaf needing one. */
  final Tensor[] inputLeaves;
  /** For input i: its shape, to which the gradient is summed when the op broadcast it. */
  final int[][] inputShapes;
  private Backward backward;
  /** Why backward is gone, for the error message. */
  private String releasedBecause;
  /**
   * The open step scope's arrays that this node's inputs and output live in, which its closure may read. The
   * scope counts them, so that backward can recycle an array once every node touching it has run. Null
   * outside a scope and once released.
   */
  float[][] scopeArrays;

  Node(String op, Tensor[] inputs, Tensor output, Backward backward) {
    this.op = op;
    int n = inputs.length;
    this.inputNodes = new Node[n];
    this.inputLeaves = new Tensor[n];
    this.inputShapes = new int[n][];
    for (int i = 0; i < n; i++) {
      Tensor in = inputs[i];
      if (in != null && in.requiresGrad) {
        inputShapes[i] = in.shape;
        if (in.node != null) {
          inputNodes[i] = in.node;
        } else {
          inputLeaves[i] = in;
        }
      }
    }
    this.backward = backward;
    StepScope.register(this);
    this.scopeArrays = StepScope.touchedBy(inputs, output);
  }

  /**
   * The graph vertex input i leads to: its producing node, its leaf tensor, or null when it gets no
   * gradient.
   */
  Object input(int i) {
    return inputNodes[i] != null ? inputNodes[i] : inputLeaves[i];
  }

  Tensor[] apply(Tensor gradOutput) {
    if (backward == null) {
      throw new IllegalStateException("backward through a released graph (at op '" + op + "': "
          + releasedBecause + "): its intermediate buffers were already freed; to backpropagate twice, call"
          + " backward(upstream, true) the first time and stay inside the StepScope, if any");
    }
    return backward.apply(gradOutput);
  }

  /**
   * Drops the closure and with it the tensors it saved, so their memory can be reclaimed.
   *
   * @param because why, for the error a later backward gets
   */
  void release(String because) {
    backward = null;
    releasedBecause = because;
    scopeArrays = null;
  }
}
