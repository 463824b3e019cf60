package io.github.resnet4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.data.Batch;
import io.github.resnet4j.data.DataLoader;
import io.github.resnet4j.data.FashionMnist;
import io.github.resnet4j.io.SafeTensors;
import io.github.resnet4j.models.Models;
import io.github.resnet4j.nn.BatchNorm;
import io.github.resnet4j.nn.Conv2D;
import io.github.resnet4j.nn.Dense;
import io.github.resnet4j.nn.GlobalAvgPool2D;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.nn.ReLU;
import io.github.resnet4j.nn.ResidualBlock;
import io.github.resnet4j.nn.Sequential;
import io.github.resnet4j.optim.SGD;
import io.github.resnet4j.optim.Schedule;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.StepScope;
import io.github.resnet4j.tensor.Tensor;
import io.github.resnet4j.train.EarlyStopping;
import io.github.resnet4j.train.History;
import io.github.resnet4j.train.KeepBestCheckpoint;
import io.github.resnet4j.train.KeepLatestCheckpoint;
import io.github.resnet4j.train.LossFunction;
import io.github.resnet4j.train.Trainer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's code, as a user outside the library writes it (this package sees only the public API).
 * When the README changes, this test changes with it.
 */
class ReadmeExamplesTest {
  @Test
  void tensorQuickstart() {
    Tensor w = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
    Tensor x = Tensor.randn(new Generator(42), 4, 3);
    Tensor loss = x.matmul(w).relu().pow(2).mean();
    loss.backward();
    assertArrayEquals(new int[] {3}, w.grad().shape());
    assertTrue(w.grad().toString().startsWith("tensor(["));
  }

  // --- README: "The seed network in Java" ---
  static Module block(int in, int out, int stride) {
    Conv2D.Options same = Conv2D.options().stride(stride).same();
    return new ResidualBlock(
        new Sequential(new Conv2D(in, out, 3, same), new BatchNorm(out), new ReLU()),
        new Sequential(new Conv2D(in, out, 1, same), new BatchNorm(out)));
  }

  @Test
  void seedNetworkAsInTheReadme() {
    Module model = new Sequential(block(3, 64, 1), block(64, 64, 1), block(64, 128, 1),
        new GlobalAvgPool2D(), new Dense(128, 10));
    assertEquals(127_626, model.parameterCount());
    assertEquals(Models.seed(3, 10).parameterCount(), model.parameterCount());
    try (NoGrad ignored = NoGrad.enter()) {
      assertArrayEquals(new int[] {2, 10}, model.forward(Tensor.zeros(2, 3, 32, 32)).shape());
    }
  }

  @Test
  void trainingQuickstart(@TempDir Path dir) throws Exception {
    FashionMnist data = FashionMnist.sample();
    Module model = Models.create("seed-small", 1, 10);
    DataLoader train = new DataLoader(data.train().subset(0, 256), 64).shuffle(true).seed(1)
        .transform(FashionMnist.normalize());
    DataLoader test = new DataLoader(data.test(), 250).transform(FashionMnist.normalize());
    SGD sgd = new SGD(model.parameters(), 0.05, 0.9, 5e-4);
    Trainer trainer = new Trainer(model, LossFunction.crossEntropy(), sgd)
        .schedule(Schedule.cosine(train.numBatches(), 0))
        .callbacks(new KeepBestCheckpoint(dir.resolve("best.safetensors")),
            new KeepLatestCheckpoint(dir.resolve("last.safetensors")), new EarlyStopping(3));
    History history = trainer.fit(train, test, 1);
    assertEquals(1, history.epochs().size());
    assertEquals("1", SafeTensors.read(dir.resolve("last.safetensors")).metadata().get("epochs_done"));
    assertEquals("1", SafeTensors.read(dir.resolve("best.safetensors")).metadata().get("epochs_done"));
    SafeTensors.write(dir.resolve("model.safetensors"), model.stateDict(), Map.of());
    Module again = Models.create("seed-small", 1, 10);
    again.loadStateDict(SafeTensors.readAll(dir.resolve("model.safetensors")), true);
    assertEquals(trainer.evaluate(test).accuracy(), Trainer.evaluate(again, LossFunction.crossEntropy(), test).accuracy());
  }

  // --- README: "A loop of your own" ---
  static double trainOneEpoch(Module model, SGD sgd, DataLoader train) {
    double total = 0;
    for (Batch b : train) {
      sgd.zeroGrad();
      try (StepScope step = StepScope.open()) {     // recycles the step's activations when it closes
        Tensor loss = Functional.crossEntropy(model.forward(b.images()), b.labels());
        loss.backward();
        total += loss.item();                       // read what you need inside the scope
      }
      sgd.step();                                   // parameters' gradients outlive the scope
    }
    return total;
  }

  /** The same loop without the scope, as a reference the scoped one must equal bit for bit. */
  @Test
  void aLoopOfYourOwnEqualsTheSameLoopWithoutAScope() {
    Module scoped = Models.create("seed-small", 1, 10);
    Module plain = Models.create("seed-small", 1, 10);
    plain.loadStateDict(scoped.stateDict(), true);
    double scopedLoss = trainOneEpoch(scoped, new SGD(scoped.parameters(), 0.05, 0.9, 5e-4), sampleLoader());
    SGD sgd = new SGD(plain.parameters(), 0.05, 0.9, 5e-4);
    double plainLoss = 0;
    for (Batch b : sampleLoader()) {
      sgd.zeroGrad();
      Tensor loss = Functional.crossEntropy(plain.forward(b.images()), b.labels());
      loss.backward();
      plainLoss += loss.item();
      sgd.step();
    }
    assertEquals(plainLoss, scopedLoss);
    Map<String, Tensor> expected = plain.stateDict();
    scoped.stateDict().forEach((name, t) -> assertArrayEquals(expected.get(name).toFloatArray(), t.toFloatArray(), name));
  }

  /** The README's inference loop: a scope per batch gives the predictions of the same loop without one. */
  @Test
  void anInferenceLoopWithAScopePerBatchPredictsAsWithout() {
    Module model = Models.create("seed-small", 1, 10);
    model.eval();
    java.util.List<float[]> scoped = new java.util.ArrayList<>();
    java.util.List<float[]> plain = new java.util.ArrayList<>();
    try (NoGrad ng = NoGrad.enter()) {
      for (Batch b : sampleLoader()) {
        try (StepScope batch = StepScope.open()) {
          scoped.add(model.forward(b.images()).argmax(1).toFloatArray());
        }
      }
      for (Batch b : sampleLoader()) {
        plain.add(model.forward(b.images()).argmax(1).toFloatArray());
      }
    }
    assertEquals(plain.size(), scoped.size());
    for (int i = 0; i < plain.size(); i++) {
      assertArrayEquals(plain.get(i), scoped.get(i), "batch " + i);
    }
  }

  private static DataLoader sampleLoader() {
    return new DataLoader(FashionMnist.sample().train().subset(0, 256), 64).shuffle(true).seed(1)
        .transform(FashionMnist.normalize());
  }
}
