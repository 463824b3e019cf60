package io.github.resnet4j.nn;

import static io.github.resnet4j.testing.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.resnet4j.io.SafeTensorsFile;
import io.github.resnet4j.tensor.ConvSpec;
import io.github.resnet4j.tensor.Tensor;
import io.github.resnet4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every layer against PyTorch 1.13 (../shared/fixtures), L = sum(output * upstream). */
class LayerFixturesTest {
  private static final double RTOL = 1e-4;
  private static final double ATOL = 1e-5;

  static Stream<String> convFixtures() throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Fixtures.dir(), "conv2d_*.safetensors")) {
      ds.forEach(p -> names.add(p.getFileName().toString()));
    }
    names.sort(null);
    if (names.size() < 16) {
      throw new IllegalStateException("expected the 16 conv2d fixtures, found " + names);
    }
    return names.stream();
  }

  private static void check(SafeTensorsFile f, String name, Tensor actual) throws IOException {
    assertClose(f.path().getFileName() + " " + name, f.tensor(name), actual, RTOL, ATOL);
  }

  @ParameterizedTest
  @MethodSource("convFixtures")
  void conv2d(String file) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    Map<String, String> md = f.metadata();
    int k = Integer.parseInt(md.get("kernel_size"));
    int stride = Integer.parseInt(md.get("stride"));
    String pad = md.get("padding");
    Padding padding = pad.equals("valid") ? Padding.valid() : pad.equals("same_keras") ? Padding.same()
        : Padding.of(Integer.parseInt(pad));
    boolean bias = Boolean.parseBoolean(md.get("bias"));
    Conv2D conv = new Conv2D(Integer.parseInt(md.get("in_channels")), Integer.parseInt(md.get("out_channels")), k,
        Conv2D.options().stride(stride).padding(padding).dilation(Integer.parseInt(md.get("dilation")))
            .groups(Integer.parseInt(md.get("groups"))).bias(bias));
    Map<String, Tensor> state = new LinkedHashMap<>();
    state.put("weight", f.tensor("weight"));
    if (bias) {
      state.put("bias", f.tensor("bias"));
    }
    conv.loadStateDict(state, true);
    Tensor x = f.tensor("input").requiresGrad(true);
    // The padding we resolve must be the one PyTorch applied.
    ConvSpec spec = padding.resolve(x.size(2), x.size(3), k, k, stride, stride,
        Integer.parseInt(md.get("dilation")), Integer.parseInt(md.get("dilation")), 1);
    assertArrayEquals(new int[] {Integer.parseInt(md.get("pad_top")), Integer.parseInt(md.get("pad_bottom")),
        Integer.parseInt(md.get("pad_left")), Integer.parseInt(md.get("pad_right"))},
        new int[] {spec.padTop(), spec.padBottom(), spec.padLeft(), spec.padRight()}, file);
    Tensor out = conv.forward(x);
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.input", x.grad());
    check(f, "grad.weight", conv.weight().grad());
    if (bias) {
      check(f, "grad.bias", conv.bias().grad());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"batchnorm2d_train", "batchnorm2d_eval"})
  void batchNorm(String file) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    boolean train = file.endsWith("train");
    Tensor x = f.tensor("input").requiresGrad(true);
    BatchNorm bn = new BatchNorm(x.size(1));
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (String k : new String[] {"weight", "bias", "running_mean", "running_var"}) {
      state.put(k, f.tensor(k));
    }
    bn.loadStateDict(state, false);
    bn.train(train);
    Tensor out = bn.forward(x);
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.input", x.grad());
    check(f, "grad.weight", bn.weight().grad());
    check(f, "grad.bias", bn.bias().grad());
    String mean = train ? "running_mean.after" : "running_mean";
    String var = train ? "running_var.after" : "running_var";
    check(f, f.contains(mean) ? mean : "running_mean", bn.runningMean());
    check(f, f.contains(var) ? var : "running_var", bn.runningVar());
    assertEquals(train ? 1 : 0, bn.numBatchesTracked());
  }

  @ParameterizedTest
  @ValueSource(strings = {"maxpool2x2_s2", "maxpool2x2_s2_odd7x5"})
  void maxPool(String file) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    Tensor x = f.tensor("input").requiresGrad(true);
    Tensor out = new MaxPool2D(2).forward(x);
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.input", x.grad());
  }

  @ParameterizedTest
  @ValueSource(strings = {"relu", "global_avg_pool"})
  void statelessLayers(String file) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    Module layer = file.equals("relu") ? new ReLU() : new GlobalAvgPool2D();
    Tensor x = f.tensor("input").requiresGrad(true);
    Tensor out = layer.forward(x);
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.input", x.grad());
  }

  @ParameterizedTest
  @ValueSource(strings = {"add", "add_broadcast_c11"})
  void addLayer(String file) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    Tensor a = f.tensor("a").requiresGrad(true);
    Tensor b = f.tensor("b").requiresGrad(true);
    if (file.equals("add")) {
      Tensor out = new Add().forward(a, b);
      out.backward(f.tensor("upstream"));
      check(f, "output", out);
      check(f, "grad.a", a.grad());
      check(f, "grad.b", b.grad());
    } else {
      // Add does not broadcast (Keras semantics): the [C,1,1] operand is an error naming both shapes.
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> new Add().forward(a, b));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(java.util.Arrays.toString(b.shape())));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear"})
  void dense(String file) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    Tensor w = f.tensor("weight");
    Dense dense = new Dense(w.size(1), w.size(0));
    dense.loadStateDict(Map.of("weight", w, "bias", f.tensor("bias")), true);
    Tensor x = f.tensor("input").requiresGrad(true);
    Tensor out = dense.forward(x);
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.input", x.grad());
    check(f, "grad.weight", dense.weight().grad());
    check(f, "grad.bias", dense.bias().grad());
  }
}
