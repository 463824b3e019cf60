package io.github.resnet4j.tensor;

import static io.github.resnet4j.testing.Fixtures.assertClose;

import io.github.resnet4j.io.SafeTensorsFile;
import io.github.resnet4j.testing.Fixtures;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The tensor-level ops against PyTorch 1.13 (../shared/fixtures), L = sum(output * upstream). */
class TensorFixturesTest {
  private static final double RTOL = 1e-4;
  private static final double ATOL = 1e-5;

  private static Tensor leaf(SafeTensorsFile f, String name) throws IOException {
    return f.tensor(name).requiresGrad(true);
  }

  private static void check(SafeTensorsFile f, String name, Tensor actual) throws IOException {
    assertClose(f.path().getFileName() + " " + name, f.tensor(name), actual, RTOL, ATOL);
  }

  private static void binary(String file) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    Tensor a = leaf(f, "a");
    Tensor b = leaf(f, "b");
    Tensor out = a.add(b);
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.a", a.grad());
    check(f, "grad.b", b.grad());
  }

  @Test
  void add() throws IOException {
    binary("add");
  }

  @Test
  void addBroadcastC11() throws IOException {
    binary("add_broadcast_c11");
  }

  @Test
  void relu() throws IOException {
    SafeTensorsFile f = Fixtures.load("relu");
    Tensor x = leaf(f, "input");
    Tensor out = x.relu();
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.input", x.grad());
  }

  @Test
  void linear() throws IOException {
    SafeTensorsFile f = Fixtures.load("linear");
    Tensor x = leaf(f, "input");
    Tensor w = leaf(f, "weight");
    Tensor b = leaf(f, "bias");
    Tensor out = Functional.linear(x, w, b);
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.input", x.grad());
    check(f, "grad.weight", w.grad());
    check(f, "grad.bias", b.grad());
  }

  @Test
  void globalAvgPool() throws IOException {
    SafeTensorsFile f = Fixtures.load("global_avg_pool");
    Tensor x = leaf(f, "input");
    Tensor out = Functional.globalAvgPool2d(x);
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.input", x.grad());
  }

  @Test
  void softmaxCrossEntropy() throws IOException {
    SafeTensorsFile f = Fixtures.load("softmax_cross_entropy");
    Tensor z = leaf(f, "logits");
    Tensor out = Functional.crossEntropy(z, f.tensor("labels"));
    out.backward(f.tensor("upstream"));
    check(f, "output", out);
    check(f, "grad.logits", z.grad());
  }
}
