package io.github.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.io.Npy;
import io.github.resnet4j.io.SafeTensors;
import io.github.resnet4j.models.Models;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user runs it: exit codes, the last lines, and one-line errors. */
class MainTest {
  private String out;
  private String err;

  private int run(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8));
    out = o.toString(StandardCharsets.UTF_8);
    err = e.toString(StandardCharsets.UTF_8);
    return code;
  }

  private String lastLine() {
    String[] lines = out.trim().split("\n");
    return lines[lines.length - 1];
  }

  private void assertUsageError(String expectedFragment, String... args) {
    assertEquals(2, run(args), out + err);
    assertTrue(err.startsWith("error: ") && err.trim().split("\n").length == 1, err);
    assertTrue(err.contains(expectedFragment), err);
  }

  @Test
  void summaryEndsWithTheParameterCount() {
    assertEquals(0, run("summary", "--model", "resnet18", "--input-size", "64", "64"));
    assertEquals("Total params: 11,689,512", lastLine());
    assertEquals(0, run("summary", "--model", "seed-small"));
    assertEquals("Total params: 115,658", lastLine());
    assertEquals(0, run("summary", "--model", "resnet20", "--classes", "100"));
    assertEquals("Total params: " + String.format("%,d", Models.cifarResNet(20, 100).parameterCount()), lastLine());
  }

  @Test
  void helpListsTheModels() {
    assertEquals(0, run("help"));
    assertTrue(out.contains("preact-resnet18") && out.contains("resnet152") && out.contains("seed-small"), out);
  }

  @Test
  void predictWritesTheEvalModeLogits(@TempDir Path dir) throws Exception {
    Init.manualSeed(3);
    Module model = Models.create("resnet20", 3, 10);
    model.forward(Tensor.randn(new Generator(1), 4, 3, 16, 16)); // move the running statistics
    Path weights = dir.resolve("w.safetensors");
    SafeTensors.write(weights, model.stateDict(), Map.of());
    Tensor x = Tensor.randn(new Generator(2), 2, 3, 16, 16);
    Npy.write(dir.resolve("x.npy"), x);
    assertEquals(0, run("predict", "--model", "resnet20", "--weights", weights.toString(), "--input",
        dir.resolve("x.npy").toString(), "--output", dir.resolve("y.npy").toString()), err);
    model.eval();
    try (NoGrad ignored = NoGrad.enter()) {
      assertArrayEquals(model.forward(x).toFloatArray(), Npy.read(dir.resolve("y.npy")).toFloatArray());
    }
  }

  @Test
  void predictErrorsAreOneLineWithExitCodeTwo(@TempDir Path dir) throws Exception {
    Init.manualSeed(3);
    Path weights = dir.resolve("w.safetensors");
    SafeTensors.write(weights, Models.create("resnet20", 3, 10).stateDict(), Map.of());
    Npy.write(dir.resolve("x.npy"), Tensor.zeros(1, 3, 16, 16));
    String x = dir.resolve("x.npy").toString();
    String y = dir.resolve("y.npy").toString();
    assertUsageError("unknown model 'resnet19'", "predict", "--model", "resnet19", "--weights", weights.toString(),
        "--input", x, "--output", y);
    assertUsageError("missing keys", "predict", "--model", "resnet32", "--weights", weights.toString(),
        "--input", x, "--output", y);
    assertUsageError("shape mismatches", "predict", "--model", "resnet20", "--classes", "7", "--weights",
        weights.toString(), "--input", x, "--output", y);
    assertUsageError("weights file not found", "predict", "--model", "resnet20", "--weights", "nope.safetensors",
        "--input", x, "--output", y);
    Files.write(dir.resolve("bad.safetensors"), new byte[] {1, 2, 3});
    assertUsageError("bad.safetensors", "predict", "--model", "resnet20", "--weights",
        dir.resolve("bad.safetensors").toString(), "--input", x, "--output", y);
    Npy.write(dir.resolve("x1.npy"), Tensor.zeros(1, 1, 16, 16));
    assertUsageError("[1, 1, 16, 16]", "predict", "--model", "resnet20", "--weights", weights.toString(),
        "--input", dir.resolve("x1.npy").toString(), "--output", y);
    assertUsageError("--output is required", "predict", "--model", "resnet20", "--weights", weights.toString(),
        "--input", x);
  }

  @Test
  void argumentErrors() {
    assertUsageError("unknown command 'fly'", "fly");
    assertUsageError("unknown option --epoch", "train", "--epoch", "3");
    assertUsageError("--epochs takes a whole number", "train", "--epochs", "three");
    assertUsageError("--optimizer must be one of sgd, adam, adamw", "train", "--optimizer", "rmsprop");
    assertUsageError("--input-size needs 2 values", "summary", "--model", "seed", "--input-size", "32");
    assertUsageError("cannot load Fashion-MNIST from /nonexistent", "train", "--data", "/nonexistent");
    assertUsageError("--crop-padding must be at least 0", "train", "--augment", "--crop-padding", "-1");
    assertUsageError("checkpoint not found", "train", "--limit", "64", "--epochs", "1", "--resume", "/nonexistent.st");
  }

  @Test
  void trainThenEvalAndResume(@TempDir Path dir) {
    String outDir = dir.toString();
    assertEquals(0, run("train", "--model", "seed-small", "--epochs", "1", "--batch", "32", "--limit", "128",
        "--augment", "--out", outDir), err);
    assertTrue(lastLine().matches("test accuracy: 0\\.\\d{4}"), lastLine());
    for (String f : new String[] {"checkpoint.safetensors", "best.safetensors", "model.safetensors", "metrics.json",
        "curves.svg"}) {
      assertTrue(Files.exists(dir.resolve(f)), f);
    }
    String trained = lastLine();
    assertEquals(0, run("eval", "--model", "seed-small", "--weights", dir.resolve("model.safetensors").toString()),
        err);
    assertEquals(trained, lastLine());
    assertEquals(0, run("eval", "--model", "seed-small", "--weights",
        dir.resolve("checkpoint.safetensors").toString()), err);
    assertEquals(trained, lastLine());
    assertEquals(0, run("train", "--model", "seed-small", "--epochs", "2", "--batch", "32", "--limit", "128",
        "--resume", dir.resolve("checkpoint.safetensors").toString(), "--out", outDir), err);
    assertTrue(out.contains("resumed from") && out.contains("after epoch 1") && out.contains("epoch 2/2"), out);
    String metrics = assertDoesNotThrow(() -> Files.readString(dir.resolve("metrics.json")));
    assertTrue(metrics.contains("\"epoch\": 1,") && metrics.contains("\"epoch\": 2,"),
        "the resumed run's metrics keep the epoch before the interruption: " + metrics);
  }

  @Test
  void cropPaddingZeroAugmentsWithTheFlipOnly(@TempDir Path dir) {
    assertEquals(0, run("train", "--epochs", "1", "--limit", "64", "--augment", "--crop-padding", "0", "--out",
        dir.toString()), err);
    assertTrue(out.contains("augmented (flip)"), out);
    assertEquals(0, run("train", "--epochs", "1", "--limit", "64", "--augment", "--out", dir.toString()), err);
    assertTrue(out.contains("augmented (crop pad 2 + flip)"), out);
  }

  @Test
  void resumeWithAnotherOptimizerIsAUsageError(@TempDir Path dir) {
    assertEquals(0, run("train", "--epochs", "1", "--limit", "64", "--out", dir.toString()), err);
    assertUsageError("cannot resume", "train", "--epochs", "2", "--limit", "64", "--optimizer", "adam", "--resume",
        dir.resolve("checkpoint.safetensors").toString(), "--out", dir.toString());
  }

  @Test
  void benchPrintsImagesPerSecondLast() {
    assertEquals(0, run("bench", "--model", "seed", "--mode", "train", "--batch", "2", "--iters", "2", "--warmup", "1",
        "--warmup-seconds", "0", "--input-size", "16", "16"), err);
    assertTrue(lastLine().matches("images/sec: [0-9.]+"), lastLine());
    // HotSpot counts allocations per thread, so the runs report what they allocated
    assertTrue(out.matches("(?s).*run 2: [0-9.]+ ms, [0-9.]+ images/s, [0-9]+ KiB allocated\\R.*"), out);
    assertTrue(out.matches("(?s).*allocated per run: [0-9]+ KiB \\(median, all threads\\)\\R.*"), out);
    assertEquals(0, run("bench", "gemm", "--size", "64", "--iters", "2", "--warmup-seconds", "0.2"));
    assertTrue(lastLine().matches("GFLOP/s: [0-9.]+"), lastLine());
    assertUsageError("--warmup-seconds must be a non-negative number", "bench", "gemm", "--warmup-seconds", "-1");
  }
}
