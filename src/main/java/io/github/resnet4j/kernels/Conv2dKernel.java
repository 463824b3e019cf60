package io.github.resnet4j.kernels;

/** Placeholder direct convolution (replaced by the kernels branch). */
public final class Conv2dKernel {
  private Conv2dKernel() {}

  public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
    int cig = g.inChannels / g.groups, cog = g.outChannels / g.groups;
    for (int n = 0; n < g.n; n++) {
      for (int co = 0; co < g.outChannels; co++) {
        int grp = co / cog;
        for (int oh = 0; oh < g.outH; oh++) {
          for (int ow = 0; ow < g.outW; ow++) {
            double s = bias == null ? 0 : bias[co];
            for (int ci = 0; ci < cig; ci++) {
              for (int kh = 0; kh < g.kernelH; kh++) {
                int ih = oh * g.strideH - g.padTop + kh * g.dilationH;
                if (ih < 0 || ih >= g.inH) continue;
                for (int kw = 0; kw < g.kernelW; kw++) {
                  int iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                  if (iw < 0 || iw >= g.inW) continue;
                  s += x[((n * g.inChannels + grp * cig + ci) * g.inH + ih) * g.inW + iw]
                      * w[((co * cig + ci) * g.kernelH + kh) * g.kernelW + kw];
                }
              }
            }
            y[((n * g.outChannels + co) * g.outH + oh) * g.outW + ow] = (float) s;
          }
        }
      }
    }
  }

  public static void backward(ConvGeometry g, float[] x, float[] w, float[] dy, float[] dx, float[] dw, float[] db) {
    int cig = g.inChannels / g.groups, cog = g.outChannels / g.groups;
    if (dx != null) java.util.Arrays.fill(dx, 0f);
    if (dw != null) java.util.Arrays.fill(dw, 0f);
    if (db != null) java.util.Arrays.fill(db, 0f);
    for (int n = 0; n < g.n; n++) {
      for (int co = 0; co < g.outChannels; co++) {
        int grp = co / cog;
        for (int oh = 0; oh < g.outH; oh++) {
          for (int ow = 0; ow < g.outW; ow++) {
            float d = dy[((n * g.outChannels + co) * g.outH + oh) * g.outW + ow];
            if (db != null) db[co] += d;
            for (int ci = 0; ci < cig; ci++) {
              for (int kh = 0; kh < g.kernelH; kh++) {
                int ih = oh * g.strideH - g.padTop + kh * g.dilationH;
                if (ih < 0 || ih >= g.inH) continue;
                for (int kw = 0; kw < g.kernelW; kw++) {
                  int iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                  if (iw < 0 || iw >= g.inW) continue;
                  int xi = ((n * g.inChannels + grp * cig + ci) * g.inH + ih) * g.inW + iw;
                  int wi = ((co * cig + ci) * g.kernelH + kh) * g.kernelW + kw;
                  if (dx != null) dx[xi] += d * w[wi];
                  if (dw != null) dw[wi] += d * x[xi];
                }
              }
            }
          }
        }
      }
    }
  }
}
