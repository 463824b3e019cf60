package io.github.resnet4j.optim;

import io.github.resnet4j.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba), as torch.optim.Adam: {@code m = b1*m + (1-b1)*g},
 * {@code v = b2*v + (1-b2)*g^2}, {@code p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}. Weight
 * decay here is L2 (added to the gradient); {@link AdamW} decouples it.
 */
public class Adam extends Optimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final boolean decoupled;
  private final Map<Tensor, Tensor[]> scratch = new IdentityHashMap<>();

  /**
   * Adam with the usual betas (0.9, 0.999) and eps 1e-8.
   *
   * @param params the parameters
   * @param lr learning rate
   */
  public Adam(List<Tensor> params, double lr) {
    this(List.of(new ParamGroup(params, lr, 0)), 0.9, 0.999, 1e-8);
  }

  /**
   * Adam over groups (each group's weight decay is L2).
   *
   * @param groups the groups
   * @param beta1 first-moment decay in [0, 1)
   * @param beta2 second-moment decay in [0, 1)
   * @param eps added to the denominator
   */
  public Adam(List<ParamGroup> groups, double beta1, double beta2, double eps) {
    this(groups, beta1, beta2, eps, false);
  }

  Adam(List<ParamGroup> groups, double beta1, double beta2, double eps, boolean decoupled) {
    super(groups);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
      throw new IllegalArgumentException("Adam: betas (" + beta1 + ", " + beta2 + ") must be in [0, 1) and eps "
          + eps + " positive");
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.decoupled = decoupled;
  }

  @Override
  protected void update(Tensor p, Tensor g, ParamGroup group, Map<String, Tensor> s) {
    // Each line rounds as the textbook sequence of tensor ops would (g.add(p.mul(wd)), v.sqrt().div(...)
    // and so on), but in two scratch tensors per parameter instead of five temporaries per step.
    double lr = group.lr();
    double wd = group.weightDecay();
    Tensor[] work = scratch(p);
    if (wd != 0) {
      if (decoupled) {
        p.mulInPlace((float) (1 - lr * wd));
      } else {
        g = work[1].copyFrom(g).addInPlace((float) wd, p);
      }
    }
    Tensor m = s.computeIfAbsent("exp_avg", k -> Tensor.zeros(p.shape()));
    Tensor v = s.computeIfAbsent("exp_avg_sq", k -> Tensor.zeros(p.shape()));
    Tensor stepT = s.computeIfAbsent("step", k -> Tensor.ofLongs(new long[] {0}));
    stepT.addInPlace(Tensor.scalar(1f));
    long t = (long) stepT.item();
    m.mulInPlace((float) beta1).addInPlace((float) (1 - beta1), g);
    Tensor squared = work[0].copyFrom(g).mulInPlace(g);
    v.mulInPlace((float) beta2).addInPlace((float) (1 - beta2), squared);
    double biasCorrection1 = 1 - Math.pow(beta1, t);
    double biasCorrection2 = 1 - Math.pow(beta2, t);
    Tensor denom = work[1].copyFrom(v).sqrtInPlace()
        .divInPlace(Tensor.scalar((float) Math.sqrt(biasCorrection2))).addInPlace(Tensor.scalar((float) eps));
    Tensor ratio = work[0].copyFrom(m).divInPlace(denom);
    p.addInPlace((float) (-lr / biasCorrection1), ratio);
  }

  private Tensor[] scratch(Tensor p) {
    return scratch.computeIfAbsent(p, k -> new Tensor[] {Tensor.zeros(k.shape()), Tensor.zeros(k.shape())});
  }
}
