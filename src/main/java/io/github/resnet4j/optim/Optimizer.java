package io.github.resnet4j.optim;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients, as torch.optim. Parameters without a gradient are skipped.
 * Per-parameter state (momentum, moments) is created on the first step and saved by
 * {@link #stateDict()} under keys {@code <index>.<name>}, the index counting parameters over all groups.
 *
 * <pre>{@code
 * Optimizer opt = new SGD(model.parameters(), 0.1, 0.9, 5e-4);
 * model.zeroGrad();
 * loss.backward();
 * opt.step();
 * }</pre>
 */
public abstract class Optimizer {
  private final List<ParamGroup> groups;
  private final Map<Tensor, Map<String, Tensor>> state = new HashMap<>();
  private long steps;

  /**
   * Creates the optimizer over groups.
   *
   * @param groups the parameter groups
   */
  protected Optimizer(List<ParamGroup> groups) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("optimizer: no parameter groups");
    }
    this.groups = List.copyOf(groups);
  }

  /**
   * One update of every parameter that has a gradient; runs outside autograd.
   */
  public final void step() {
    steps++;
    try (NoGrad ignored = NoGrad.enter()) {
      for (ParamGroup g : groups) {
        for (Tensor p : g.params()) {
          if (p.grad() != null) {
            update(p, p.grad(), g, state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
          }
        }
      }
    }
  }

  /**
   * Updates one parameter in place.
   *
   * @param param the parameter
   * @param grad its gradient
   * @param group its group (learning rate, weight decay)
   * @param paramState this parameter's state, empty on its first step
   */
  protected abstract void update(Tensor param, Tensor grad, ParamGroup group, Map<String, Tensor> paramState);

  /** Clears the gradient of every parameter. */
  public void zeroGrad() {
    for (ParamGroup g : groups) {
      for (Tensor p : g.params()) {
        p.zeroGrad();
      }
    }
  }

  /**
   * The parameter groups.
   *
   * @return an unmodifiable list
   */
  public List<ParamGroup> groups() {
    return groups;
  }

  /**
   * How many times {@link #step()} ran.
   *
   * @return the count
   */
  public long steps() {
    return steps;
  }

  /**
   * The learning rate of the first group.
   *
   * @return lr
   */
  public double lr() {
    return groups.get(0).lr();
  }

  /**
   * Sets every group's learning rate to its initial value times {@code factor} (what schedules do).
   *
   * @param factor the multiplier
   */
  public void scaleLr(double factor) {
    for (ParamGroup g : groups) {
      g.setLr(g.initialLr() * factor);
    }
  }

  private List<Tensor> allParams() {
    List<Tensor> all = new ArrayList<>();
    for (ParamGroup g : groups) {
      all.addAll(g.params());
    }
    return all;
  }

  /**
   * The optimizer's state: per-parameter buffers as {@code <index>.<name>}, each group's current
   * learning rate as {@code group.<i>.lr}, and the step count as {@code steps} (int64).
   *
   * @return copies of the state tensors
   */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<Tensor> all = allParams();
    for (int i = 0; i < all.size(); i++) {
      Map<String, Tensor> s = state.get(all.get(i));
      if (s != null) {
        for (Map.Entry<String, Tensor> e : s.entrySet()) {
          out.put(i + "." + e.getKey(), copyOf(e.getValue()));
        }
      }
    }
    for (int i = 0; i < groups.size(); i++) {
      out.put("group." + i + ".lr", Tensor.of(new float[] {(float) groups.get(i).lr()}));
    }
    out.put("steps", Tensor.ofLongs(new long[] {steps}));
    return out;
  }

  private static Tensor copyOf(Tensor t) {
    return t.dtype() == DType.INT64 ? Tensor.ofLongs(toLongs(t), t.shape()) : Tensor.of(t.toFloatArray(), t.shape());
  }

  private static long[] toLongs(Tensor t) {
    float[] v = t.toFloatArray();
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (long) v[i];
    }
    return out;
  }

  /**
   * Restores a state saved by {@link #stateDict()} from an optimizer of the same type over parameters of
   * the same shapes in the same order.
   *
   * @param saved the state
   * @throws IllegalArgumentException naming a key whose index or shape does not fit
   */
  public void loadStateDict(Map<String, Tensor> saved) {
    List<Tensor> all = allParams();
    Map<Tensor, Map<String, Tensor>> restored = new HashMap<>();
    for (Map.Entry<String, Tensor> e : saved.entrySet()) {
      String key = e.getKey();
      if (key.equals("steps") || key.startsWith("group.")) {
        continue;
      }
      int dot = key.indexOf('.');
      int index;
      try {
        index = Integer.parseInt(key.substring(0, Math.max(dot, 0)));
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("optimizer state: unexpected key '" + key + "'");
      }
      if (index < 0 || index >= all.size()) {
        throw new IllegalArgumentException("optimizer state: key '" + key + "' names parameter " + index + " of "
            + all.size());
      }
      Tensor p = all.get(index);
      Tensor v = e.getValue();
      if (v.dim() > 0 && !Arrays.equals(v.shape(), p.shape())) {
        throw new IllegalArgumentException("optimizer state: '" + key + "' has shape " + Arrays.toString(v.shape())
            + " but parameter " + index + " has " + Arrays.toString(p.shape()));
      }
      restored.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(key.substring(dot + 1), copyOf(v));
    }
    state.clear();
    state.putAll(restored);
    for (int i = 0; i < groups.size(); i++) {
      Tensor lr = saved.get("group." + i + ".lr");
      if (lr != null) {
        groups.get(i).setLr(lr.item());
      }
    }
    Tensor s = saved.get("steps");
    steps = s == null ? 0 : (long) s.item();
  }
}
