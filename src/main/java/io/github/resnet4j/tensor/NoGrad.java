package io.github.resnet4j.tensor;

/**
 * A scope in which operations record no autograd graph, for inference and parameter updates.
 *
 * <pre>{@code
 * try (NoGrad ignored = NoGrad.enter()) {
 *   Tensor logits = model.forward(x);   // no graph is built
 * }
 * }</pre>
 *
 * <p>Scopes nest and are per thread.
 */
public final class NoGrad implements AutoCloseable {
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
  private boolean closed;

  private NoGrad() {}

  /**
   * Enters a no-grad scope on the current thread; close it to leave.
   *
   * @return the scope, for try-with-resources
   */
  public static NoGrad enter() {
    DEPTH.get()[0]++;
    return new NoGrad();
  }

  /**
   * Whether operations on this thread currently record the graph.
   *
   * @return false inside a no-grad scope
   */
  public static boolean isGradEnabled() {
    return DEPTH.get()[0] == 0;
  }

  /** Leaves the scope; closing twice has no further effect. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      DEPTH.get()[0]--;
    }
  }
}
