package io.github.resnet4j.tensor;

import io.github.resnet4j.kernels.BinaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The reverse-mode engine: records nodes as ops run and walks them backwards from a root. */
final class Autograd {
  private Autograd() {}

  /**
   * Attaches a node to {@code result} when grad mode is on and any input requires a gradient.
   * The closure is only kept when it will be used, so inference builds no graph at all.
   */
  static Tensor record(String op, Tensor result, Node.Backward backward, Tensor... inputs) {
    if (!NoGrad.isGradEnabled()) {
      return result;
    }
    for (Tensor in : inputs) {
      if (in != null && in.requiresGrad) {
        result.requiresGrad = true;
        result.node = new Node(op, inputs, result, backward);
        return result;
      }
    }
    return result;
  }

  static void backward(Tensor root, Tensor upstream, boolean retainGraph) {
    if (!root.requiresGrad) {
      throw new IllegalStateException("backward: the tensor does not require grad and has no graph;"
          + " call requiresGrad(true) on the leaves before computing it");
    }
    if (!Arrays.equals(root.shape, upstream.shape)) {
      throw new IllegalArgumentException("backward: upstream gradient of shape " + Shapes.str(upstream.shape)
          + " does not match the output shape " + Shapes.str(root.shape));
    }
    // Vertices are nodes (intermediate results) and leaf tensors; keying on nodes, not on the
    // intermediate tensors, lets each activation be collected as soon as no closure holds it.
    Object rootVertex = root.node != null ? root.node : root;
    List<Object> order = topologicalOrder(rootVertex);
    Map<Object, Tensor> grads = new IdentityHashMap<>();
    // How many pending gradients share each array. A backward may hand the same buffer (g, or a view of
    // it) to several inputs; they share it until one of them has something added, which then gets a
    // sum of its own (copy on write), so accumulating into one gradient never changes another.
    Map<float[], Integer> sharers = new IdentityHashMap<>();
    Tensor seed = upstream.contiguousCopy();
    grads.put(rootVertex, seed);
    sharers.put(seed.data(), 1);
    try (NoGrad ignored = NoGrad.enter()) {
      for (int i = order.size() - 1; i >= 0; i--) {
        Object vertex = order.get(i);
        Tensor g = grads.remove(vertex);
        if (g == null) {
          continue;
        }
        boolean shared = unshare(sharers, g.data());
        if (vertex instanceof Tensor) {
          accumulateLeaf((Tensor) vertex, g, shared);
          continue;
        }
        Node node = (Node) vertex;
        Tensor[] inGrads = node.apply(g);
        float[][] touched = node.scopeArrays;
        if (!retainGraph) {
          node.release("backward already ran");
        }
        for (int k = 0; k < node.inputNodes.length; k++) {
          Object in = node.input(k);
          if (in == null || inGrads[k] == null) {
            continue;
          }
          Tensor gi = Reductions.sumToShape(inGrads[k], node.inputShapes[k]);
          Tensor prev = grads.get(in);
          if (prev == null) {
            Tensor own = gi.isDense() ? gi : gi.contiguousCopy();
            grads.put(in, own);
            sharers.merge(own.data(), 1, Integer::sum);
          } else if (sharers.get(prev.data()) == 1 && prev.data() != gi.data()) {
            prev.addInPlace(gi);
          } else {
            Tensor sum = Ops.zip("backward", BinaryOp.ADD, prev, gi);
            unshare(sharers, prev.data());
            grads.put(in, sum);
            sharers.put(sum.data(), 1);
          }
        }
        // g came from the engine's map and the closure has run: unless an input adopted it (or shares it),
        // no tensor anywhere refers to its array any more.
        if (!shared && !sharers.containsKey(g.data())) {
          Buffers.recycle(g.data());
        }
        if (!retainGraph) {
          // The rest of the pass then takes its gradients' memory from the activations it has finished with.
          StepScope.ranBackward(touched, sharers);
        }
      }
    }
  }

  /** One sharer of {@code array} fewer; returns whether others still share it. */
  private static boolean unshare(Map<float[], Integer> sharers, float[] array) {
    int left = sharers.get(array) - 1;
    if (left == 0) {
      sharers.remove(array);
      return false;
    }
    sharers.put(array, left);
    return true;
  }

  /**
   * {@code g} came out of the engine's map, so the leaf may keep it without a copy, unless a gradient still
   * pending shares its array; g is dead after being added to an existing gradient.
   */
  private static void accumulateLeaf(Tensor leaf, Tensor g, boolean shared) {
    if (leaf.grad == null) {
      leaf.grad = shared ? g.contiguousCopy() : g;
      StepScope.released(leaf.grad.data()); // the parameter's gradient outlives any step scope
      leaf.gradFromScope = StepScope.isOpen(); // ... until zeroGrad hands it to the next step
    } else {
      leaf.grad.addInPlace(g);
      if (!shared) {
        Buffers.recycle(g.data());
      }
    }
  }

  /**
   * Vertices (nodes and leaf tensors) reachable from root, each after all of its inputs; iterative, so
   * deep graphs are fine.
   */
  private static List<Object> topologicalOrder(Object root) {
    List<Object> order = new ArrayList<>();
    Map<Object, Boolean> visited = new IdentityHashMap<>();
    // The path from the root, with the next input to visit at each depth: two arrays instead of a frame
    // object per vertex.
    Object[] path = new Object[64];
    int[] nextInput = new int[64];
    path[0] = root;
    int depth = 1;
    visited.put(root, Boolean.TRUE);
    while (depth > 0) {
      Object vertex = path[depth - 1];
      Node node = vertex instanceof Node ? (Node) vertex : null;
      int inputs = node == null ? 0 : node.inputNodes.length;
      boolean pushed = false;
      while (nextInput[depth - 1] < inputs) {
        Object in = node.input(nextInput[depth - 1]++);
        if (in != null && visited.put(in, Boolean.TRUE) == null) {
          if (depth == path.length) {
            path = Arrays.copyOf(path, 2 * depth);
            nextInput = Arrays.copyOf(nextInput, 2 * depth);
          }
          path[depth] = in;
          nextInput[depth] = 0;
          depth++;
          pushed = true;
          break;
        }
      }
      if (!pushed) {
        path[--depth] = null;
        order.add(vertex);
      }
    }
    return order;
  }
}
