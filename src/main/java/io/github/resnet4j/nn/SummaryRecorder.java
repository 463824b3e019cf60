package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;

/** Captures each module's output shape during one forward pass, for {@link Module#summary(int...)}. */
final class SummaryRecorder {
  private static final ThreadLocal<Map<Module, int[]>> ACTIVE = new ThreadLocal<>();

  private SummaryRecorder() {}

  static void record(Module m, Tensor y) {
    Map<Module, int[]> shapes = ACTIVE.get();
    if (shapes != null) {
      shapes.put(m, y.shape());
    }
  }

  static String summarize(Module root, int[] inputShape) {
    int[] shape = new int[inputShape.length + 1];
    shape[0] = 1;
    System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
    Map<Module, int[]> shapes = new IdentityHashMap<>();
    boolean wasTraining = root.isTraining();
    root.eval();
    ACTIVE.set(shapes);
    try (NoGrad ignored = NoGrad.enter()) {
      root.forward(Tensor.zeros(shape));
    } finally {
      ACTIVE.remove();
      root.train(wasTraining);
    }
    StringBuilder sb = new StringBuilder();
    String rule = "-".repeat(86) + "\n";
    sb.append(String.format(Locale.ROOT, "%-44s %-26s %14s%n", "Layer (type)", "Output shape", "Param #"));
    sb.append(rule.replace('-', '='));
    long buffers = 0;
    for (Map.Entry<String, Module> e : root.namedModules().entrySet()) {
      Module m = e.getValue();
      buffers += m.ownBufferCount();
      String name = e.getKey().isEmpty() ? "(model)" : e.getKey().substring(0, e.getKey().length() - 1);
      int[] out = shapes.get(m);
      String outShape = out == null ? "-" : Arrays.toString(out).replace("[1,", "[N,").replace("[1]", "[N]");
      sb.append(String.format(Locale.ROOT, "%-44s %-26s %,14d%n",
          trim(name + " (" + m.getClass().getSimpleName() + ")", 44), outShape, m.ownParameterCount()));
    }
    long total = root.parameterCount();
    long trainable = 0;
    for (Tensor p : root.parameters()) {
      trainable += p.requiresGrad() ? p.numel() : 0;
    }
    sb.append(rule.replace('-', '='));
    sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
    sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable));
    sb.append(String.format(Locale.ROOT, "Buffers (running statistics, not counted): %,d%n", buffers));
    sb.append(String.format(Locale.ROOT, "Total params: %,d", total));
    return sb.toString();
  }

  private static String trim(String s, int width) {
    return s.length() <= width ? s : "..." + s.substring(s.length() - width + 3);
  }
}
