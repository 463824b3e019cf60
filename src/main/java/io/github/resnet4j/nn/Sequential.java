package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Tensor;
import java.util.List;

/**
 * Modules applied one after another; children are named {@code 0}, {@code 1}, ... as in PyTorch, so
 * their state-dict keys read {@code 0.weight}, {@code 1.running_mean}.
 *
 * <pre>{@code
 * Sequential main = new Sequential(new Conv2D(3, 64, 3), new BatchNorm(64), new ReLU());
 * }</pre>
 */
public class Sequential extends Module {
  private int size;

  /**
   * Creates the sequence.
   *
   * @param modules the modules in order
   */
  public Sequential(Module... modules) {
    for (Module m : modules) {
      add(m);
    }
  }

  /**
   * Appends a module.
   *
   * @param module the module; it gets the next index as its name
   * @return this sequence
   */
  public Sequential add(Module module) {
    registerModule(Integer.toString(size++), module);
    return this;
  }

  /**
   * The number of modules.
   *
   * @return the count
   */
  public int size() {
    return size;
  }

  /**
   * The module at a position.
   *
   * @param index 0-based position
   * @return the module
   */
  public Module get(int index) {
    Module m = children().get(Integer.toString(index));
    if (m == null) {
      throw new IndexOutOfBoundsException("Sequential: index " + index + " of " + size);
    }
    return m;
  }

  @Override
  protected Tensor compute(Tensor x) {
    return forwardPrefix(x, size);
  }

  /**
   * The first {@code end} modules applied to x, as {@link #forward} applies them; the caller applies the rest
   * (a {@link ResidualBlock} fusing its last BatchNorm with the residual add).
   */
  Tensor forwardPrefix(Tensor x, int end) {
    Tensor y = x;
    List<Module> modules = List.copyOf(children().values()).subList(0, end);
    for (int i = 0; i < modules.size(); i++) {
      Module m = modules.get(i);
      Module next = i + 1 < modules.size() ? modules.get(i + 1) : null;
      if (m instanceof Conv2D && next instanceof BatchNorm
          && FoldedBatchNorm.applies((Conv2D) m, (BatchNorm) next)) {
        // Inference: the BatchNorm folded into the convolution, which also applies a ReLU that follows.
        boolean relu = i + 2 < modules.size() && modules.get(i + 2) instanceof ReLU;
        y = ((Conv2D) m).forwardFolded(y, (BatchNorm) next, null, relu);
        i++;
        if (relu) {
          SummaryRecorder.record(modules.get(++i), y);
        }
      } else if (m instanceof BatchNorm && next instanceof ReLU) {
        // A BatchNorm followed by a ReLU runs as one fused node.
        y = ((BatchNorm) m).forwardRelu(y);
        SummaryRecorder.record(modules.get(++i), y);
      } else {
        y = m.forward(y);
      }
    }
    return y;
  }
}
