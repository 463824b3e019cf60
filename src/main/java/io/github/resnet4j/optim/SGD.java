package io.github.resnet4j.optim;

import io.github.resnet4j.tensor.Tensor;
import java.util.IdentityHashMap;
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
   * Per parameter, where the update direction is computed when it differs from the gradient: reused every
   * step instead of allocated (not optimizer state: it holds nothing between steps).
   */
  private final Map<Tensor, Tensor> direction = new IdentityHashMap<>();

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
    // Each line rounds as g.add(p.mul(wd)), d.add(buf.mul(momentum)) and so on would, without the temporaries.
    Tensor d = g;
    if (group.weightDecay() != 0) {
      d = direction(p).copyFrom(g).addInPlace((float) group.weightDecay(), p);
    }
    if (momentum != 0) {
      Tensor buf = s.get("momentum_buffer");
      if (buf == null) {
        buf = Tensor.of(d.toFloatArray(), d.shape());
        s.put("momentum_buffer", buf);
      } else {
        buf.mulInPlace((float) momentum).addInPlace((float) (1 - dampening), d);
      }
      if (nesterov) {
        d = (d == g ? direction(p).copyFrom(g) : d).addInPlace((float) momentum, buf);
      } else {
        d = buf;
      }
    }
    p.addInPlace((float) -group.lr(), d);
  }

  private Tensor direction(Tensor p) {
    return direction.computeIfAbsent(p, k -> Tensor.zeros(k.shape()));
  }
}
