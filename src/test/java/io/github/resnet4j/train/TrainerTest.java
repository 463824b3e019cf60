package io.github.resnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.data.DataLoader;
import io.github.resnet4j.data.RandomHorizontalFlip;
import io.github.resnet4j.data.TensorDataset;
import io.github.resnet4j.io.SafeTensors;
import io.github.resnet4j.io.SafeTensorsFile;
import io.github.resnet4j.models.SeedNet;
import io.github.resnet4j.nn.Dropout;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.nn.Sequential;
import io.github.resnet4j.optim.Adam;
import io.github.resnet4j.optim.SGD;
import io.github.resnet4j.optim.Schedule;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  /**
   * A learnable toy task of textures, invariant to flips and visible after global pooling: class 0
   * horizontal stripes, 1 vertical stripes, 2 a checkerboard, 3 flat; plus noise.
   */
  static TensorDataset textures(int n, long seed) {
    Generator g = new Generator(seed);
    float[] images = new float[n * 64];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int k = g.nextInt(4);
      labels[i] = k;
      for (int p = 0; p < 64; p++) {
        int r = p / 8;
        int c = p % 8;
        int on = k == 0 ? r % 2 : k == 1 ? c % 2 : k == 2 ? (r + c) % 2 : 0;
        images[i * 64 + p] = (float) (g.nextGaussian() * 0.2 + on);
      }
    }
    return new TensorDataset(images, new int[] {n, 1, 8, 8}, labels);
  }

  static Module tinyModel(long seed) {
    return new SeedNet(1, 4, new int[] {8, 8}, new int[] {1, 2}, 4, new Generator(seed));
  }

  static DataLoader loader(TensorDataset d) {
    return new DataLoader(d, 16).shuffle(true).seed(7).transform(new RandomHorizontalFlip(0.5)).prefetch(1);
  }

  private static Trainer trainer(Module m) {
    return new Trainer(m, LossFunction.crossEntropy(), new SGD(m.parameters(), 0.05, 0.9, 1e-4))
        .schedule(Schedule.cosine(4 * 4, 0).withWarmup(2)).progress(null);
  }

  @Test
  void learnsTheToyTaskAndReportsIt() throws IOException {
    TensorDataset train = textures(128, 1);
    Module m = tinyModel(1);
    Trainer t = new Trainer(m, LossFunction.crossEntropy(), new Adam(m.parameters(), 0.01)).progress(null);
    History h = t.fit(loader(train), new DataLoader(textures(32, 2), 16), 6);
    assertEquals(6, h.epochs().size());
    assertTrue(h.last().valAccuracy() > 0.8, "val accuracy " + h.last().valAccuracy());
    assertTrue(h.last().loss() < h.epochs().get(0).loss());
    Evaluation e = t.evaluate(new DataLoader(textures(32, 2), 10));
    assertEquals(32, e.count());
    long diagonal = 0;
    for (int i = 0; i < 4; i++) {
      diagonal += e.confusion()[i][i];
    }
    assertEquals(e.accuracy(), diagonal / 32.0, 1e-12);
    assertTrue(m.isTraining(), "evaluate restores the mode");
  }

  /**
   * Evaluation recycles each batch's activations (a StepScope per batch) where they are large enough to be
   * pooled: the figures equal a plain no-grad forward's, outside any scope and inside a caller's own, which it
   * neither closes nor nests into.
   */
  @Test
  void evaluateRecyclesBatchesWithoutChangingTheFigures() {
    Generator g = new Generator(5);
    Module m = new SeedNet(1, 4, new int[] {8, 8}, new int[] {1, 2}, 4, g);
    TensorDataset data = new TensorDataset(Tensor.randn(g, 40, 1, 32, 32).toFloatArray(), new int[] {40, 1, 32, 32},
        textures(40, 6).labels());
    m.eval();
    double lossSum = 0;
    long correct = 0;
    try (io.github.resnet4j.tensor.NoGrad ignored = io.github.resnet4j.tensor.NoGrad.enter()) {
      for (io.github.resnet4j.data.Batch b : new DataLoader(data, 16)) {
        Tensor out = m.forward(b.images());
        lossSum += LossFunction.crossEntropy().apply(out, b.labels()).item() * b.size();
        float[] pred = out.argmax(1).toFloatArray();
        float[] y = b.labels().toFloatArray();
        for (int i = 0; i < pred.length; i++) {
          correct += pred[i] == y[i] ? 1 : 0;
        }
      }
    }
    m.train();
    Trainer t = new Trainer(m, LossFunction.crossEntropy(), new SGD(m.parameters(), 0.1, 0, 0)).progress(null);
    Evaluation outside = t.evaluate(new DataLoader(data, 16));
    assertEquals(lossSum / 40, outside.loss(), 0);
    assertEquals(correct / 40.0, outside.accuracy(), 0);
    assertTrue(!io.github.resnet4j.tensor.StepScope.isOpen());
    try (io.github.resnet4j.tensor.StepScope mine = io.github.resnet4j.tensor.StepScope.open()) {
      Evaluation inside = t.evaluate(new DataLoader(data, 16));
      assertTrue(io.github.resnet4j.tensor.StepScope.isOpen(), "the caller's scope stays open");
      assertEquals(outside.loss(), inside.loss(), 0);
      assertEquals(outside.accuracy(), inside.accuracy(), 0);
    }
    assertTrue(!io.github.resnet4j.tensor.StepScope.isOpen());
  }

  @Test
  void sameSeedsGiveIdenticalWeights() throws IOException {
    Map<String, Tensor> a = run(2);
    Map<String, Tensor> b = run(2);
    for (String k : a.keySet()) {
      assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
    }
  }

  private static Map<String, Tensor> run(int epochs) throws IOException {
    return run(TrainerTest::tinyModel, epochs);
  }

  private static Map<String, Tensor> run(LongFunction<Module> model, int epochs) throws IOException {
    Module m = model.apply(3);
    trainer(m).fit(loader(textures(48, 4)), null, epochs);
    return m.stateDict();
  }

  /** The tiny model with Dropout on its logits: masks come from a generator the checkpoint must carry. */
  static Module tinyDropoutModel(long seed) {
    return new Sequential(tinyModel(seed), new Dropout(0.5f, 11));
  }

  @Test
  void resumeEqualsStraight(@TempDir Path dir) throws IOException {
    assertResumeEqualsStraight(TrainerTest::tinyModel, dir);
  }

  @Test
  void resumeEqualsStraightWithDropout(@TempDir Path dir) throws IOException {
    assertResumeEqualsStraight(TrainerTest::tinyDropoutModel, dir);
  }

  private static void assertResumeEqualsStraight(LongFunction<Module> model, Path dir) throws IOException {
    Map<String, Tensor> straight = run(model, 2);
    Module first = model.apply(3);
    Trainer t1 = trainer(first);
    t1.fit(loader(textures(48, 4)), null, 1);
    Path ckpt = dir.resolve("ckpt.safetensors");
    t1.saveCheckpoint(ckpt);
    Module second = model.apply(99); // different initial weights: all must come from the checkpoint
    Trainer t2 = trainer(second);
    t2.loadCheckpoint(ckpt);
    assertEquals(1, t2.epochsDone());
    assertEquals(t1.history().epochs(), t2.history().epochs(), "the history comes back with the checkpoint");
    t2.fit(loader(textures(48, 4)), null, 2);
    assertEquals(List.of(1, 2), t2.history().epochs().stream().map(EpochStats::epoch).collect(Collectors.toList()));
    Map<String, Tensor> resumed = second.stateDict();
    for (String k : straight.keySet()) {
      assertArrayEquals(straight.get(k).toFloatArray(), resumed.get(k).toFloatArray(), k);
    }
  }

  @Test
  void checkpointWithoutTheModelsGeneratorStateIsRefused(@TempDir Path dir) throws IOException {
    Trainer plain = trainer(new Sequential(tinyModel(3))); // same state dict keys, no Dropout
    Path ckpt = dir.resolve("no-dropout.safetensors");
    plain.saveCheckpoint(ckpt);
    Module target = tinyDropoutModel(5);
    Map<String, Tensor> before = target.stateDict();
    float[] firstWeight = before.values().iterator().next().toFloatArray();
    IOException e = assertThrows(IOException.class, () -> trainer(target).loadCheckpoint(ckpt));
    assertTrue(e.getMessage().contains("generator.1.mask"), e.getMessage());
    assertArrayEquals(firstWeight, target.stateDict().values().iterator().next().toFloatArray(),
        "a refused checkpoint leaves the model as it was");
  }

  @Test
  void latestCheckpointIsWrittenAfterEveryEpoch(@TempDir Path dir) throws IOException {
    Path latest = dir.resolve("latest.safetensors");
    List<String> seen = new ArrayList<>();
    trainer(tinyModel(3)).callbacks(new KeepLatestCheckpoint(latest), (stats, t) -> {
      seen.add(SafeTensors.read(latest).metadata().get("epochs_done"));
      return false;
    }).fit(loader(textures(16, 4)), null, 3);
    assertEquals(List.of("1", "2", "3"), seen);
  }

  @Test
  void checkpointWithAMalformedHistoryIsRefused(@TempDir Path dir) throws IOException {
    Trainer t = trainer(tinyModel(3));
    t.fit(loader(textures(16, 4)), null, 2);
    Path ckpt = dir.resolve("c.safetensors");
    t.saveCheckpoint(ckpt);
    SafeTensorsFile f = SafeTensors.read(ckpt);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String n : f.names()) {
      tensors.put(n, f.tensor(n));
    }
    Map<String, String> meta = new LinkedHashMap<>(f.metadata());
    String losses = meta.get("history.loss");
    meta.put("history.loss", losses.replaceFirst(",.*", ",x"));
    SafeTensors.write(ckpt, tensors, meta);
    IOException e = assertThrows(IOException.class, () -> trainer(tinyModel(3)).loadCheckpoint(ckpt));
    assertTrue(e.getMessage().contains("history.loss") && e.getMessage().contains("'x'"), e.getMessage());
    meta.put("history.loss", losses);
    meta.remove("history.lr");
    SafeTensors.write(ckpt, tensors, meta);
    e = assertThrows(IOException.class, () -> trainer(tinyModel(3)).loadCheckpoint(ckpt));
    assertTrue(e.getMessage().contains("history.lr is missing"), e.getMessage());
  }

  @Test
  void checkpointOfAnotherOptimizerIsRefused(@TempDir Path dir) throws IOException {
    Module m = tinyModel(3);
    Trainer t = trainer(m);
    t.fit(loader(textures(16, 4)), null, 1);
    Path ckpt = dir.resolve("c.safetensors");
    t.saveCheckpoint(ckpt);
    Trainer other = new Trainer(m, LossFunction.crossEntropy(), new Adam(m.parameters(), 0.01));
    IOException e = assertThrows(IOException.class, () -> other.loadCheckpoint(ckpt));
    assertTrue(e.getMessage().contains("SGD") && e.getMessage().contains("Adam"), e.getMessage());
  }

  @Test
  void callbacksStopEarlyAndKeepTheBest(@TempDir Path dir) throws IOException {
    Module m = tinyModel(5);
    Path best = dir.resolve("best.safetensors");
    int[] calls = {0};
    Trainer t = new Trainer(m, LossFunction.crossEntropy(), new SGD(m.parameters(), 0.0, 0, 0)).progress(null)
        .callbacks(new KeepBestCheckpoint(best), new EarlyStopping(2), (s, tr) -> {
          calls[0]++;
          return false;
        });
    // lr 0: nothing improves after the first epoch, so patience 2 stops after epoch 3
    History h = t.fit(loader(textures(16, 6)), new DataLoader(textures(16, 7), 8), 10);
    assertEquals(3, h.epochs().size());
    assertEquals(3, calls[0]);
    assertTrue(Files.size(best) > 0);
  }

  @Test
  void historyWritesJsonAndChart(@TempDir Path dir) throws IOException {
    Module m = tinyModel(5);
    History h = trainer(m).fit(loader(textures(16, 6)), null, 2);
    h.writeJson(dir.resolve("metrics.json"));
    h.writeChart(dir.resolve("curves.svg"));
    String json = Files.readString(dir.resolve("metrics.json"));
    assertTrue(json.contains("\"epoch\": 2") && json.contains("\"val_accuracy\": null"), json);
    String svg = Files.readString(dir.resolve("curves.svg"));
    assertTrue(svg.startsWith("<svg") && svg.contains("<polyline"), svg);
  }

  /** The JSON layout, exactly: one object per line, the epoch as an integer, NaN as null. */
  @Test
  void historyJsonHasItsDocumentedLayout() {
    History h = new History();
    h.add(new EpochStats(1, 0.5, 0.75, Double.NaN, Double.NaN, 0.1, 2.5, 100.0));
    h.add(new EpochStats(2, 0.25, 0.875, 0.3, 0.9, 0.05, 3.0, 120.5));
    assertEquals("[\n"
        + "  {\"epoch\": 1, \"loss\": 0.5, \"accuracy\": 0.75, \"val_loss\": null, \"val_accuracy\": null,"
        + " \"lr\": 0.1, \"seconds\": 2.5, \"images_per_second\": 100.0},\n"
        + "  {\"epoch\": 2, \"loss\": 0.25, \"accuracy\": 0.875, \"val_loss\": 0.3, \"val_accuracy\": 0.9,"
        + " \"lr\": 0.05, \"seconds\": 3.0, \"images_per_second\": 120.5}\n"
        + "]\n", h.toJson());
  }

  @Test
  void progressBarDrawsOnAStream() throws IOException {
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    Module m = tinyModel(5);
    trainer(m).progress(new java.io.PrintStream(buf, true), true).fit(loader(textures(32, 6)), null, 1);
    String out = buf.toString();
    assertTrue(out.contains("Epoch 1/1 [") && out.contains("2/2") && out.contains("img/s"), out);
    assertTrue(out.contains("epoch 1/1  loss"), out);
  }

  @Test
  void withoutATerminalItPrintsOneLinePerEpoch() throws IOException {
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    trainer(tinyModel(5)).progress(new java.io.PrintStream(buf, true), false).fit(loader(textures(32, 6)), null, 2);
    String out = buf.toString();
    assertTrue(!out.contains("\r") && out.split("\n").length == 2, out);
    assertTrue(out.startsWith("epoch 1/2  loss") && out.contains("\nepoch 2/2  loss"), out);
  }

  @Test
  void oneCallFitMatchesTheIssueSignature() throws IOException {
    Init.manualSeed(1);
    Module m = tinyModel(8);
    History h = Trainer.fit(m, LossFunction.crossEntropy(0.1f, true), new SGD(m.parameters(), 0.05, 0.9, 0),
        Schedule.oneCycle(8), loader(textures(32, 9)), null, 2);
    assertEquals(2, h.epochs().size());
  }
}
