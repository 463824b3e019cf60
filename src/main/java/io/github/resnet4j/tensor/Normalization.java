package io.github.resnet4j.tensor;

import io.github.resnet4j.kernels.BatchNormKernel;
import io.github.resnet4j.kernels.BinaryOp;

/**
 * The batch-normalisation node, with running-statistics updates in training mode, optionally fused with
 * the ReLU that follows it in every ResNet: one pass and one stored activation instead of two.
 */
final class Normalization {
  private Normalization() {}

  /**
   * {@code [relu](batchNorm(x) [+ residual])}; with a residual the ReLU is required (a residual block's ending).
   */
  static Tensor batchNorm(Tensor x, Tensor residual, Tensor weight, Tensor bias, Tensor runningMean,
      Tensor runningVar, boolean training, float momentum, float eps, boolean relu) {
    String name = residual != null ? "batchNormAddRelu" : relu ? "batchNormRelu" : "batchNorm";
    if (x.dim() != 2 && x.dim() != 4) {
      throw new IllegalArgumentException(name + ": expected [N, C] or [N, C, H, W], got " + Shapes.str(x.shape));
    }
    if (residual != null && !java.util.Arrays.equals(residual.shape, x.shape)) {
      throw new IllegalArgumentException(name + ": residual " + Shapes.str(residual.shape)
          + " does not match input " + Shapes.str(x.shape));
    }
    float[] rd = residual == null ? null : residual.denseData();
    int n = x.shape[0];
    int c = x.shape[1];
    int s = x.dim() == 4 ? x.shape[2] * x.shape[3] : 1;
    for (Tensor t : new Tensor[] {weight, bias, runningMean, runningVar}) {
      if (t != null && (t.dim() != 1 || t.shape[0] != c)) {
        throw new IllegalArgumentException(name + ": per-channel tensor " + Shapes.str(t.shape)
            + " does not match input " + Shapes.str(x.shape) + " with " + c + " channels");
      }
    }
    float[] xd = x.denseData();
    float[] gamma = weight == null ? null : weight.denseData();
    float[] beta = bias == null ? null : bias.denseData();
    float[] y = Buffers.forOutput(xd.length);
    int m = n * s;
    if (training) {
      if (m <= 1) {
        throw new IllegalArgumentException(name + ": training needs more than one value per channel, got input "
            + Shapes.str(x.shape));
      }
      float[] mean = Buffers.forOutput(c);
      float[] invStd = Buffers.forOutput(c);
      boolean running = runningMean != null && runningVar != null;
      float[] var = running ? Buffers.forOutput(c) : null;
      BatchNormKernel.forwardTrain(xd, n, c, s, gamma, beta, eps, y, mean, invStd, var, rd, relu);
      if (running) {
        for (int i = 0; i < c; i++) {
          var[i] = (float) (var[i] * (double) m / (m - 1)); // unbiased, as PyTorch's running variance
        }
        try (NoGrad ignored = NoGrad.enter()) {
          runningMean.mulInPlace(1 - momentum).addInPlace(momentum, mean);
          runningVar.mulInPlace(1 - momentum).addInPlace(momentum, var);
        }
        Buffers.recycle(var);
      }
      return record(name, Tensor.wrap(y, x.shape), relu, x, residual, weight, bias,
          (dy, dx, dGamma, dBeta) -> BatchNormKernel.backwardTrain(xd, dy, n, c, s, gamma, mean, invStd, dx,
              dGamma, dBeta));
    }
    if (runningMean == null || runningVar == null) {
      throw new IllegalArgumentException(name + ": evaluation mode needs running statistics");
    }
    float[] rm = runningMean.toFloatArray();
    float[] rv = runningVar.toFloatArray();
    BatchNormKernel.forwardEval(xd, n, c, s, gamma, beta, rm, rv, eps, y, rd, relu);
    return record(name, Tensor.wrap(y, x.shape), relu, x, residual, weight, bias,
        (dy, dx, dGamma, dBeta) -> BatchNormKernel.backwardEval(xd, dy, n, c, s, gamma, rm, rv, eps, dx, dGamma,
            dBeta));
  }

  /** The kernel half of a BatchNorm backward: fills dx and the requested dGamma, dBeta from dy. */
  private interface KernelBackward {
    void run(float[] dy, float[] dx, float[] dGammaOrNull, float[] dBetaOrNull);
  }

  /** Records the node, allocating the gradients the kernel fills; training and evaluation differ only there. */
  private static Tensor record(String name, Tensor out, boolean relu, Tensor x, Tensor residual, Tensor weight,
      Tensor bias, KernelBackward kernel) {
    int c = x.shape[1];
    // Only the fused ReLU needs the output; capturing it otherwise would keep it alive until backward.
    Tensor reluOut = relu ? out : null;
    boolean toResidual = residual != null;
    return Autograd.record(name, out, g -> {
      float[] dy = upstream(reluOut, g);
      // The masked gradient is also the residual's: then dx cannot overwrite it.
      float[] dx = relu && !toResidual ? dy : Buffers.forOutput(dy.length);
      float[] dGamma = weight != null && weight.requiresGrad ? Buffers.forOutput(c) : null;
      float[] dBeta = bias != null && bias.requiresGrad ? Buffers.forOutput(c) : null;
      kernel.run(dy, dx, dGamma, dBeta);
      return new Tensor[] {Tensor.wrap(dx, x.shape), toResidual ? Tensor.wrap(dy, x.shape) : null,
          dGamma == null ? null : Tensor.wrap(dGamma, c), dBeta == null ? null : Tensor.wrap(dBeta, c)};
    }, x, residual, weight, bias);
  }

  /**
   * The gradient reaching the BatchNorm's output. With the ReLU fused ({@code reluOut} its output) it is a
   * fresh array, zero where the output was clamped (y is positive exactly where relu's input was), which
   * the kernel may overwrite with dx in place; without it ({@code reluOut} null), g's own values, read only.
   */
  private static float[] upstream(Tensor reluOut, Tensor g) {
    return reluOut != null ? Ops.zip("batchNormRelu", BinaryOp.RELU_GRAD, reluOut, g).denseData() : g.denseData();
  }
}
