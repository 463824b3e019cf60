package io.github.resnet4j.tensor;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One training step's memory, handed back for the next step when the scope closes, so that steady-state
 * training allocates almost nothing: the forward activations (each [N, C, H, W] of a batch) are reused
 * instead of being left to the garbage collector.
 *
 * <pre>{@code
 * for (Batch b : loader) {
 *   optimizer.zeroGrad();
 *   try (StepScope step = StepScope.open()) {
 *     Tensor logits = model.forward(b.images());
 *     correct += accuracy(logits, b.labels());  // before backward, which recycles the logits
 *     Tensor loss = Functional.crossEntropy(logits, b.labels());
 *     loss.backward();
 *     total += loss.item();          // a scalar: readable after backward, and after the scope
 *   }
 *   optimizer.step();                // the parameters' gradients survive the scope
 * }
 * }</pre>
 *
 * <p>Java cannot see whether a tensor is still referenced, so the scope makes a promise explicit: every tensor
 * of at least {@value Buffers#MIN_POOLED} elements computed on this thread while the scope is open gives its
 * memory back when it closes. Reading such a tensor afterwards throws an {@link IllegalStateException} naming
 * its shape, and a graph recorded inside the scope can no longer be backpropagated; neither can produce a
 * wrong number. Exempt are the gradients that backward leaves in parameters ({@link Tensor#grad()}), which
 * belong to the parameters until the next {@link Tensor#zeroGrad()} hands their memory to the next step's
 * backward (then they too refuse to be read), and whatever is passed to {@link #keep(Tensor)}. Tensors under
 * {@value Buffers#MIN_POOLED} elements (a loss, a scalar) are never recycled. So read a batch's logits, for an
 * accuracy, before backward, as the example does.
 *
 * <p>Backward inside the scope gives such a tensor's memory back earlier, as soon as every op recorded in the
 * scope that read or produced it has run its backward: the rest of the pass then takes its gradients' memory
 * from activations it has finished with, which made ResNet-20's training step at batch 128 need 202 instead
 * of 260 MiB. So read an activation before backward, or keep it. An op outside that backward's graph that
 * read the tensor (a second loss, say) still counts, so its own backward later finds the values intact.
 * {@code backward(upstream, true)}, which keeps the graph, recycles nothing early.
 *
 * <p>Scopes do not nest, and a scope belongs to the thread that opened it. The check lives in the storage a
 * tensor shares with its views, so views made later or on other threads refuse to read too.
 */
public final class StepScope implements AutoCloseable {
  private static final ThreadLocal<StepScope> ACTIVE = new ThreadLocal<>();
  private static final String RECYCLED_BY_SCOPE = "when its StepScope closed; call StepScope.keep(tensor) inside"
      + " the scope, or copy it there, to use it afterwards";
  private static final String RECYCLED_BY_BACKWARD = "by backward(), inside a StepScope, once every op that read it"
      + " had run its backward; call StepScope.keep(tensor) before backward, or read it before, to use it after";

  private final Thread owner = Thread.currentThread();
  // All weakly held: the scope must not keep alive what the step has already dropped (a BatchNorm output
  // that only the residual add read, say); whatever the collector takes needs no recycling, and steady-state
  // steps allocate too little to trigger a collection anyway.
  /** Pooled arrays handed out in this scope and not given back yet: what closing recycles (arrays hash by identity). */
  private final Map<float[], Boolean> handedOut = new WeakHashMap<>();
  /** Storages created in this scope over large arrays: every tensor that may read a recycled array has one. */
  private final List<WeakReference<Storage>> storages = new ArrayList<>();
  /** Nodes recorded in this scope: their closures captured arrays that closing recycles. */
  private final List<WeakReference<Node>> nodes = new ArrayList<>();
  /**
   * For each handed-out array that recorded nodes touch (as input or output), how many of those nodes have
   * not run their backward yet. Values stay small, so boxing them allocates nothing (Integer's cache).
   */
  private final Map<float[], Integer> pendingNodes = new IdentityHashMap<>();
  /** Where {@link #touchedBy} collects a node's arrays before copying them out. */
  private float[][] touched = new float[4][];
  private boolean closed;

  private StepScope() {}

  /**
   * Opens a scope on the calling thread.
   *
   * @return the scope, to close after backward and before the optimizer step
   * @throws IllegalStateException if a scope is already open on this thread
   */
  public static StepScope open() {
    if (ACTIVE.get() != null) {
      throw new IllegalStateException("StepScope.open: a scope is already open on thread "
          + Thread.currentThread().getName() + "; scopes do not nest");
    }
    StepScope scope = new StepScope();
    ACTIVE.set(scope);
    return scope;
  }

  /**
   * Exempts a tensor from recycling, with its views and everything else sharing its memory.
   *
   * @param tensor a tensor computed inside this scope (or any other: then this does nothing)
   * @return the tensor, readable after backward and after the scope closes
   * @throws IllegalStateException if the scope is closed or the tensor was already recycled
   */
  public Tensor keep(Tensor tensor) {
    if (closed) {
      throw new IllegalStateException("StepScope.keep: the scope is closed; keep tensors before closing it");
    }
    handedOut.remove(tensor.data());
    return tensor;
  }

  /**
   * Recycles the memory of the step: the tensors computed in the scope become unreadable and its graph
   * can no longer be backpropagated. Closing twice does nothing.
   *
   * @throws IllegalStateException if called on another thread than the one that opened the scope
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("StepScope.close: opened on thread " + owner.getName()
          + ", closed on " + Thread.currentThread().getName());
    }
    closed = true;
    ACTIVE.remove();
    for (WeakReference<Node> ref : nodes) {
      Node node = ref.get();
      if (node != null) {
        node.release("its StepScope closed");
      }
    }
    for (WeakReference<Storage> ref : storages) {
      Storage storage = ref.get();
      float[] a = storage == null ? null : storage.values;
      if (a != null && handedOut.containsKey(a)) {
        storage.release(RECYCLED_BY_SCOPE);
      }
    }
    for (float[] a : new ArrayList<>(handedOut.keySet())) {
      Buffers.recycle(a);
    }
    handedOut.clear();
    storages.clear();
    nodes.clear();
    pendingNodes.clear();
  }

  /**
   * Whether a scope is open on the calling thread: code that would open its own (an evaluation loop, say)
   * asks first, since scopes do not nest.
   *
   * @return true between {@link #open()} and {@link #close()} on this thread
   */
  public static boolean isOpen() {
    return ACTIVE.get() != null;
  }

  // Hooks for the rest of the package; each is a thread-local read when no scope is open.

  /** A fresh storage: pooled arrays are wrapped on the thread that took them, so its scope is this thread's. */
  static void register(Storage storage) {
    if (storage.values.length >= Buffers.MIN_POOLED) {
      StepScope scope = ACTIVE.get();
      if (scope != null) {
        scope.storages.add(new WeakReference<>(storage));
      }
    }
  }

  static void register(Node node) {
    StepScope scope = ACTIVE.get();
    if (scope != null) {
      scope.nodes.add(new WeakReference<>(node));
    }
  }

  /**
   * Counts a new node against the scope's arrays it touches; returns them for {@link #ranBackward}, or null
   * when no scope is open or it touches none.
   */
  static float[][] touchedBy(Tensor[] inputs, Tensor output) {
    StepScope scope = ACTIVE.get();
    if (scope == null) {
      return null;
    }
    if (scope.touched.length < inputs.length + 1) {
      scope.touched = new float[inputs.length + 1][];
    }
    float[][] arrays = scope.touched;
    int n = scope.touch(arrays, 0, output);
    for (Tensor in : inputs) {
      n = scope.touch(arrays, n, in);
    }
    float[][] result = n == 0 ? null : java.util.Arrays.copyOf(arrays, n);
    java.util.Arrays.fill(arrays, 0, n, null);
    return result;
  }

  private int touch(float[][] arrays, int n, Tensor t) {
    float[] a = t == null ? null : t.data();
    if (a == null || a.length < Buffers.MIN_POOLED || !handedOut.containsKey(a)) {
      return n;
    }
    for (int i = 0; i < n; i++) {
      if (arrays[i] == a) {
        return n;
      }
    }
    pendingNodes.merge(a, 1, Integer::sum);
    arrays[n] = a;
    return n + 1;
  }

  /**
   * A node's backward has run and its closure is gone: each of its arrays that no other node of this scope
   * still needs is recycled at once (its tensors refuse reads from now on), unless it has been kept or is
   * one of the pending gradients.
   *
   * @param arrays what {@link #touchedBy} returned for the node, or null
   * @param pendingGradients arrays the engine still holds as gradients
   */
  static void ranBackward(float[][] arrays, Map<float[], Integer> pendingGradients) {
    StepScope scope = arrays == null ? null : ACTIVE.get();
    if (scope == null) {
      return;
    }
    for (float[] a : arrays) {
      Integer left = scope.pendingNodes.get(a);
      if (left == null) { // recorded under another scope, which has already recycled it
        continue;
      }
      if (left > 1) {
        scope.pendingNodes.put(a, left - 1);
        continue;
      }
      scope.pendingNodes.remove(a);
      if (scope.handedOut.containsKey(a) && !pendingGradients.containsKey(a)) {
        for (WeakReference<Storage> ref : scope.storages) {
          Storage storage = ref.get();
          if (storage != null && storage.values == a) {
            storage.release(RECYCLED_BY_BACKWARD);
          }
        }
        Buffers.recycle(a);
      }
    }
  }

  /** A pooled array was handed out: it belongs to the step unless it escapes or comes back first. */
  static void handedOut(float[] a) {
    StepScope scope = ACTIVE.get();
    if (scope != null) {
      scope.handedOut.put(a, Boolean.TRUE);
    }
  }

  /** The array came back to the pool, or now belongs to something that outlives the step. */
  static void released(float[] a) {
    StepScope scope = ACTIVE.get();
    if (scope != null) {
      scope.handedOut.remove(a);
    }
  }
}
