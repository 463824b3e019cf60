package io.github.resnet4j.optim;

import io.github.resnet4j.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, as torch.optim.SGD: {@code d = g + wd*p}; {@code buf = d}
 * on the first step, then {@code buf = momentum*buf + (1 - dampening)*d}; with Nesterov
 * {@code d = d + momentum*buf}, else {@code d = buf}; {@code p -= lr*d}.
 */
public final class SGD extends Optimizer {
  private final double momentum;
  private final double dampening;
  private final boolean nesterov;

  /**
   * Plain SGD with momentum and weight decay on all parameters.
   *
   * @param params the parameters
   * @param lr learning rate
   * @param momentum momentum factor (0 for none)
   * @param weightDecay L2 weight decay
   */
  public SGD(List<Tensor> params, double lr, double momentum, double weightDecay) {
    this(List.of(new ParamGroup(params, lr, weightDecay)), momentum, 0, false);
  }

  /**
   * SGD over parameter groups with every option.
   *
   * @param groups the groups (each with its lr and weight decay)
   * @param momentum momentum factor in [0, 1)
   * @param dampening dampening of the momentum
   * @param nesterov use Nesterov momentum (needs momentum &gt; 0 and no dampening)
   */
  public SGD(List<ParamGroup> groups, double momentum, double dampening, boolean nesterov) {
    super(groups);
    if (!(momentum >= 0) || !(dampening >= 0)) {
      throw new IllegalArgumentException("SGD: momentum " + momentum + " and dampening " + dampening
          + " must be non-negative");
    }
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException("SGD: Nesterov momentum requires momentum > 0 and zero dampening");
    }
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
  }

  @Override
  protected void update(Tensor p, Tensor g, ParamGroup group, Map<String, Tensor> s) {
    Tensor d = group.weightDecay() != 0 ? g.add(p.mul((float) group.weightDecay())) : g;
    if (momentum != 0) {
      Tensor buf = s.get("momentum_buffer");
      if (buf == null) {
        buf = Tensor.of(d.toFloatArray(), d.shape());
        s.put("momentum_buffer", buf);
      } else {
        buf.mulInPlace((float) momentum).addInPlace((float) (1 - dampening), d);
      }
      d = nesterov ? d.add(buf.mul((float) momentum)) : buf;
    }
    p.addInPlace((float) -group.lr(), d);
  }
}
