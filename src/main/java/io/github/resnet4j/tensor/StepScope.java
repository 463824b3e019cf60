package io.github.resnet4j.tensor;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
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
 *     Tensor loss = Functional.crossEntropy(model.forward(b.images()), b.labels());
 *     loss.backward();
 *     total += loss.item();          // read what you need while the scope is open
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
 * backward (then they too refuse to be read), and whatever is passed to {@link #keep(Tensor)}. Smaller tensors
 * (losses, the logits of a classifier) are never recycled: the allocator serves them faster than a pool.
 *
 * <p>Scopes do not nest, and a scope belongs to the thread that opened it. The check lives in the storage a
 * tensor shares with its views, so views made later or on other threads refuse to read too.
 */
public final class StepScope implements AutoCloseable {
  private static final ThreadLocal<StepScope> ACTIVE = new ThreadLocal<>();
  private static final String RECYCLED_BY_SCOPE = "when its StepScope closed; call StepScope.keep(tensor) inside"
      + " the scope, or copy it there, to use it afterwards";

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
   * @return the tensor, readable after the scope closes
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
