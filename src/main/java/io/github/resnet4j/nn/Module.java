package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A layer or a network of layers, as torch.nn.Module: named parameters, buffers and child modules in
 * insertion order, a train/eval mode, and a state dict whose keys are the dotted paths PyTorch uses
 * ({@code layer1.0.conv1.weight}).
 *
 * <p>A subclass registers what it owns in its constructor and implements {@link #compute(Tensor)}; callers
 * use {@link #forward(Tensor)}, which also records output shapes for {@link #summary(int...)}.
 *
 * <pre>{@code
 * class TwoLayer extends Module {
 *   private final Dense fc1 = registerModule("fc1", new Dense(784, 128));
 *   private final Dense fc2 = registerModule("fc2", new Dense(128, 10));
 *   protected Tensor compute(Tensor x) { return fc2.forward(fc1.forward(x).relu()); }
 * }
 * }</pre>
 */
public abstract class Module {
  private final Map<String, Tensor> parameters = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();
  private final Map<String, Generator> generators = new LinkedHashMap<>();
  private boolean training = true;

  /** Creates an empty module in training mode. */
  protected Module() {}

  /**
   * Runs the module on {@code x}.
   *
   * @param x the input, e.g. [N, C, H, W]
   * @return the output
   */
  public final Tensor forward(Tensor x) {
    Tensor y = compute(x);
    SummaryRecorder.record(this, y);
    return y;
  }

  /**
   * The computation of this module; called by {@link #forward(Tensor)}.
   *
   * @param x the input
   * @return the output
   */
  protected abstract Tensor compute(Tensor x);

  // ---------------------------------------------------------------- registration

  /**
   * Registers a trainable parameter (it is marked as requiring grad).
   *
   * @param name a name without dots, unique in this module
   * @param value the initial value
   * @return the value, for assignment to a field
   */
  protected final Tensor registerParameter(String name, Tensor value) {
    checkName(name);
    parameters.put(name, value.isLeaf() ? value.requiresGrad(true) : value);
    return value;
  }

  /**
   * Registers a buffer: state saved in the state dict but not trained (BatchNorm's running statistics).
   *
   * @param name a name without dots, unique in this module
   * @param value the initial value
   * @return the value
   */
  protected final Tensor registerBuffer(String name, Tensor value) {
    checkName(name);
    buffers.put(name, value);
    return value;
  }

  /**
   * Registers a random generator the module draws from while it runs (Dropout's masks), so that a
   * checkpoint can save its state and a resumed run draws what an uninterrupted one would.
   *
   * @param name a name without dots, unique in this module
   * @param generator the generator
   * @return the generator
   */
  protected final Generator registerGenerator(String name, Generator generator) {
    checkName(name);
    generators.put(name, generator);
    return generator;
  }

  /**
   * Registers a child module; its entries appear under {@code name.}.
   *
   * @param name a name without dots, unique in this module
   * @param module the child
   * @param <M> the child's type
   * @return the child
   */
  protected final <M extends Module> M registerModule(String name, M module) {
    checkName(name);
    children.put(name, module);
    return module;
  }

  private void checkName(String name) {
    if (name == null || name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException("register: name '" + name + "' must be non-empty and contain no dots");
    }
    if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)
        || generators.containsKey(name)) {
      throw new IllegalArgumentException("register: name '" + name + "' is already used in "
          + getClass().getSimpleName());
    }
  }

  // ---------------------------------------------------------------- queries

  /**
   * All trainable parameters of this module and its descendants, in registration order.
   *
   * @return the parameters
   */
  public List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /**
   * Parameters by dotted name, e.g. {@code block1.main.0.weight}.
   *
   * @return an insertion-ordered map
   */
  public Map<String, Tensor> namedParameters() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect("", out, true, false);
    return out;
  }

  /**
   * Buffers by dotted name, e.g. {@code bn1.running_mean}.
   *
   * @return an insertion-ordered map
   */
  public Map<String, Tensor> namedBuffers() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect("", out, false, true);
    return out;
  }

  /**
   * The random generators modules draw from while running, by dotted name (e.g. {@code head.1.mask});
   * not part of the state dict, which holds tensors only. Checkpoints save and restore their states.
   *
   * @return an insertion-ordered map of the live generators
   */
  public Map<String, Generator> namedGenerators() {
    Map<String, Generator> out = new LinkedHashMap<>();
    for (Map.Entry<String, Module> m : namedModules().entrySet()) {
      m.getValue().generators.forEach((k, v) -> out.put(m.getKey() + k, v));
    }
    return out;
  }

  /**
   * Direct children by name.
   *
   * @return an unmodifiable insertion-ordered map
   */
  public Map<String, Module> children() {
    return Collections.unmodifiableMap(children);
  }

  /**
   * This module and all descendants by dotted path ({@code ""} for this one), depth first.
   *
   * @return an insertion-ordered map
   */
  public Map<String, Module> namedModules() {
    Map<String, Module> out = new LinkedHashMap<>();
    walk("", out);
    return out;
  }

  private void walk(String prefix, Map<String, Module> out) {
    out.put(prefix, this);
    for (Map.Entry<String, Module> e : children.entrySet()) {
      e.getValue().walk(prefix + e.getKey() + ".", out);
    }
  }

  /** Collects entries of this module before those of its children, as PyTorch's state_dict does. */
  private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
    if (params) {
      parameters.forEach((k, v) -> out.put(prefix + k, v));
    }
    if (bufs) {
      buffers.forEach((k, v) -> out.put(prefix + k, v));
    }
    for (Map.Entry<String, Module> e : children.entrySet()) {
      e.getValue().collect(prefix + e.getKey() + ".", out, params, bufs);
    }
  }

  /**
   * The number of trainable parameter values.
   *
   * @return the sum of the parameters' sizes
   */
  public long parameterCount() {
    long n = 0;
    for (Tensor p : parameters()) {
      n += p.numel();
    }
    return n;
  }

  // ---------------------------------------------------------------- modes

  /**
   * Switches this module and its descendants to training mode (batch statistics, dropout active).
   *
   * @return this module
   */
  public Module train() {
    return train(true);
  }

  /**
   * Switches this module and its descendants to evaluation mode (running statistics, no dropout).
   *
   * @return this module
   */
  public Module eval() {
    return train(false);
  }

  /**
   * Sets the mode of this module and its descendants.
   *
   * @param mode true for training
   * @return this module
   */
  public Module train(boolean mode) {
    training = mode;
    for (Module child : children.values()) {
      child.train(mode);
    }
    return this;
  }

  /**
   * Whether the module is in training mode.
   *
   * @return true in training mode
   */
  public boolean isTraining() {
    return training;
  }

  /** Clears the gradients of all parameters. */
  public void zeroGrad() {
    for (Tensor p : parameters()) {
      p.zeroGrad();
    }
  }

  // ---------------------------------------------------------------- state dict

  /**
   * Parameters then buffers of each module, depth first, keyed as PyTorch's {@code state_dict()}; the
   * tensors are the live ones (detached views), so save them before training on.
   *
   * @return an insertion-ordered map; integer buffers have {@link DType#INT64}
   */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect("", out, true, true);
    out.replaceAll((k, v) -> v.detach());
    return out;
  }

  /**
   * Copies values from {@code state} into this module's parameters and buffers.
   *
   * @param state tensors by dotted name
   * @param strict whether missing and unexpected keys are errors (shape mismatches always are)
   * @throws IllegalArgumentException listing every missing key, unexpected key and shape mismatch
   */
  public void loadStateDict(Map<String, Tensor> state, boolean strict) {
    loadStateDict(state, strict, Function.identity());
  }

  /**
   * Like {@link #loadStateDict(Map, boolean)}, with each key of {@code state} first renamed by
   * {@code rename}, for weights named by someone else.
   *
   * @param state tensors by their foreign names
   * @param strict whether missing and unexpected keys are errors
   * @param rename maps a foreign key to this module's key
   */
  public void loadStateDict(Map<String, Tensor> state, boolean strict, Function<String, String> rename) {
    Map<String, Tensor> own = new LinkedHashMap<>();
    collect("", own, true, true);
    Map<String, Tensor> incoming = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      incoming.put(rename.apply(e.getKey()), e.getValue());
    }
    TreeSet<String> missing = new TreeSet<>(own.keySet());
    missing.removeAll(incoming.keySet());
    TreeSet<String> unexpected = new TreeSet<>(incoming.keySet());
    unexpected.removeAll(own.keySet());
    List<String> mismatched = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : incoming.entrySet()) {
      Tensor target = own.get(e.getKey());
      if (target != null && !Arrays.equals(target.shape(), e.getValue().shape())) {
        mismatched.add(e.getKey() + ": checkpoint " + Arrays.toString(e.getValue().shape()) + ", model "
            + Arrays.toString(target.shape()));
      }
    }
    if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
      StringBuilder sb = new StringBuilder("loadStateDict: the state does not fit " + getClass().getSimpleName());
      if (strict && !missing.isEmpty()) {
        sb.append("; missing keys ").append(missing);
      }
      if (strict && !unexpected.isEmpty()) {
        sb.append("; unexpected keys ").append(unexpected);
      }
      if (!mismatched.isEmpty()) {
        sb.append("; shape mismatches ").append(mismatched);
      }
      throw new IllegalArgumentException(sb.toString());
    }
    try (NoGrad ignored = NoGrad.enter()) {
      for (Map.Entry<String, Tensor> e : incoming.entrySet()) {
        Tensor target = own.get(e.getKey());
        if (target != null) {
          target.copyFrom(e.getValue());
        }
      }
    }
  }

  // ---------------------------------------------------------------- printing

  /**
   * A Keras-like table of every module with its output shape and own parameter count, from one forward
   * pass in eval mode on zeros of shape {@code [1] + inputShape}; then trainable and non-trainable
   * (frozen) parameter counts, the buffer values, and the total of parameters as PyTorch counts them
   * (buffers such as BatchNorm's running statistics are not parameters).
   *
   * @param inputShape one example's shape, e.g. {@code 3, 32, 32}
   * @return the table; its last line is {@code Total params: N}
   */
  public String summary(int... inputShape) {
    return SummaryRecorder.summarize(this, inputShape);
  }

  /**
   * A short description of this module's configuration for {@link #toString()}, e.g. {@code 3, 64, k=3}.
   *
   * @return the description, empty by default
   */
  protected String describe() {
    return "";
  }

  /**
   * The module tree in PyTorch's style.
   *
   * @return one line per module, indented by depth
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(getClass().getSimpleName()).append('(').append(describe());
    if (!children.isEmpty()) {
      sb.append('\n');
      for (Map.Entry<String, Module> e : children.entrySet()) {
        String child = e.getValue().toString().replace("\n", "\n  ");
        sb.append("  (").append(e.getKey()).append("): ").append(child).append('\n');
      }
    }
    return sb.append(')').toString();
  }

  /** Own parameters and buffers only (not the children's), for the summary table. */
  long ownParameterCount() {
    long n = 0;
    for (Tensor p : parameters.values()) {
      n += p.numel();
    }
    return n;
  }

  long ownBufferCount() {
    long n = 0;
    for (Tensor b : buffers.values()) {
      n += b.dtype() == DType.FLOAT32 ? b.numel() : 0;
    }
    return n;
  }
}
