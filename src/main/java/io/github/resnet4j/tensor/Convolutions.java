package io.github.resnet4j.tensor;

import io.github.resnet4j.kernels.BinaryOp;
import io.github.resnet4j.kernels.Conv2dKernel;
import io.github.resnet4j.kernels.ConvGeometry;

/** The 2-d convolution node: forward and backward on the conv kernel. */
final class Convolutions {
  private Convolutions() {}

  static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, ConvSpec spec) {
    return conv2d(x, weight, bias, spec, null, false);
  }

  /**
   * {@code act(conv2d(x, weight, bias) + residual)} as one node: the residual added and the ReLU applied by the
   * convolution to each image's output while it is in cache, bit for bit the separate ops.
   *
   * @param residual null, or the output's shape exactly
   * @param relu whether the node ends in a ReLU
   */
  static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, ConvSpec spec, Tensor residual, boolean relu) {
    Functional.requireRank("conv2d", x, 4, "[N, C, H, W]");
    if (weight.dim() != 4) {
      throw new IllegalArgumentException("conv2d: weight must be [Cout, Cin/groups, kH, kW], got "
          + Shapes.str(weight.shape));
    }
    int n = x.shape[0];
    int c = x.shape[1];
    int cout = weight.shape[0];
    if (c % spec.groups() != 0 || cout % spec.groups() != 0 || weight.shape[1] * spec.groups() != c) {
      throw new IllegalArgumentException("conv2d: input " + Shapes.str(x.shape) + " and weight "
          + Shapes.str(weight.shape) + " do not match with groups=" + spec.groups()
          + " (expected weight [Cout, " + (c / Math.max(spec.groups(), 1)) + ", kH, kW])");
    }
    if (bias != null && (bias.dim() != 1 || bias.shape[0] != cout)) {
      throw new IllegalArgumentException("conv2d: bias " + Shapes.str(bias.shape) + " does not match "
          + cout + " output channels");
    }
    int kh = weight.shape[2];
    int kw = weight.shape[3];
    int effH = x.shape[2] + spec.padTop() + spec.padBottom() - spec.dilationH() * (kh - 1);
    int effW = x.shape[3] + spec.padLeft() + spec.padRight() - spec.dilationW() * (kw - 1);
    if (effH < 1 || effW < 1) {
      throw new IllegalArgumentException("conv2d: input " + Shapes.str(x.shape) + " padded by " + spec
          + " is smaller than the (dilated) kernel " + kh + "x" + kw);
    }
    ConvGeometry g = new ConvGeometry(n, c, x.shape[2], x.shape[3], cout, kh, kw, spec.strideH(), spec.strideW(),
        spec.padTop(), spec.padBottom(), spec.padLeft(), spec.padRight(), spec.dilationH(), spec.dilationW(),
        spec.groups());
    int[] outShape = {n, cout, g.outH, g.outW};
    if (residual != null && !java.util.Arrays.equals(residual.shape, outShape)) {
      throw new IllegalArgumentException("conv2d: residual " + Shapes.str(residual.shape)
          + " does not match the output " + Shapes.str(outShape) + " of input " + Shapes.str(x.shape)
          + " and weight " + Shapes.str(weight.shape));
    }
    float[] xd = x.denseData();
    float[] wd = weight.denseData();
    float[] y = Buffers.forOutput(n * cout * g.outH * g.outW);
    Conv2dKernel.forward(g, xd, wd, bias == null ? null : bias.denseData(),
        residual == null ? null : residual.denseData(), relu, y);
    Tensor out = Tensor.wrap(y, outShape);
    String name = "conv2d" + (residual == null ? "" : "Add") + (relu ? "Relu" : "");
    return Autograd.record(name, out, upstream -> {
      // relu(v) > 0 exactly where v > 0, so the output masks the gradient as the pre-activation would.
      Tensor gy = relu ? Ops.zip(name, BinaryOp.RELU_GRAD, out, upstream) : upstream;
      float[] dy = gy.denseData();
      float[] dx = x.requiresGrad ? Buffers.forOutput(xd.length) : null;
      float[] dw = weight.requiresGrad ? Buffers.forOutput(wd.length) : null;
      float[] db = bias != null && bias.requiresGrad ? Buffers.forOutput(cout) : null;
      Conv2dKernel.backward(g, xd, wd, dy, dx, dw, db);
      return new Tensor[] {
          dx == null ? null : Tensor.wrap(dx, x.shape),
          dw == null ? null : Tensor.wrap(dw, weight.shape),
          db == null ? null : Tensor.wrap(db, cout),
          residual == null ? null : gy};
    }, x, weight, bias, residual);
  }
}
