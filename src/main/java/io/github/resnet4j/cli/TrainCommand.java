package io.github.resnet4j.cli;

import io.github.resnet4j.data.DataLoader;
import io.github.resnet4j.data.FashionMnist;
import io.github.resnet4j.data.RandomCrop;
import io.github.resnet4j.data.RandomHorizontalFlip;
import io.github.resnet4j.data.Transform;
import io.github.resnet4j.data.TensorDataset;
import io.github.resnet4j.io.SafeTensors;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.optim.Adam;
import io.github.resnet4j.optim.AdamW;
import io.github.resnet4j.optim.Optimizer;
import io.github.resnet4j.optim.ParamGroup;
import io.github.resnet4j.optim.SGD;
import io.github.resnet4j.optim.Schedule;
import io.github.resnet4j.train.Evaluation;
import io.github.resnet4j.train.KeepBestCheckpoint;
import io.github.resnet4j.train.KeepLatestCheckpoint;
import io.github.resnet4j.train.LossFunction;
import io.github.resnet4j.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code train} and {@code eval} on Fashion-MNIST: the README's main job. Writes the last checkpoint,
 * the best one, the weights alone, metrics JSON and an SVG chart to {@code --out}; the last line printed is
 * {@code test accuracy: 0.XXXX}.
 */
final class TrainCommand {
  private TrainCommand() {}

  static final Map<String, Integer> OPTIONS = Map.ofEntries(Map.entry("model", 1), Map.entry("data", 1),
      Map.entry("epochs", 1), Map.entry("batch", 1), Map.entry("lr", 1), Map.entry("optimizer", 1),
      Map.entry("schedule", 1), Map.entry("augment", 0), Map.entry("seed", 1), Map.entry("out", 1),
      Map.entry("resume", 1), Map.entry("weight-decay", 1), Map.entry("momentum", 1),
      Map.entry("label-smoothing", 1), Map.entry("warmup", 1), Map.entry("limit", 1), Map.entry("classes", 1),
      Map.entry("threads", 1), Map.entry("crop-padding", 1));

  static int train(String[] argv, PrintStream out) throws UsageException {
    Args a = new Args("train", argv, OPTIONS);
    String name = a.string("model", "seed-small");
    int epochs = a.integer("epochs", 10, 1);
    int batch = a.integer("batch", 64, 1);
    String optName = a.choice("optimizer", "sgd", "sgd", "adam", "adamw");
    double lr = a.number("lr", optName.equals("sgd") ? 0.05 : 1e-3);
    String scheduleName = a.choice("schedule", "cosine", "cosine", "onecycle", "step", "constant");
    double weightDecay = a.number("weight-decay", optName.equals("adamw") ? 0.05 : 5e-4);
    double momentum = a.number("momentum", 0.9);
    double smoothing = a.number("label-smoothing", 0);
    int warmup = a.integer("warmup", 0, 0);
    long seed = a.integer("seed", 0, 0);
    Path outDir = a.path("out") == null ? Path.of("resnet4j-out") : a.path("out");
    FashionMnist data = FashionData.load(a.path("data"), out::println);
    TensorDataset trainSet = data.train();
    if (a.has("limit")) {
      trainSet = trainSet.subset(0, Math.min(trainSet.size(), a.integer("limit", trainSet.size(), 1)));
    }
    Init.manualSeed(seed);
    Module model;
    try {
      model = io.github.resnet4j.models.Models.create(name, trainSet.imageShape()[0], a.integer("classes", 10, 1));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
    Transform normalize = FashionMnist.normalize();
    // Padding 0 keeps only the flip: small nets that under-fit in a short schedule do better without the crop.
    int cropPadding = a.integer("crop-padding", 2, 0);
    Transform flipAndNormalize = Transform.compose(new RandomHorizontalFlip(0.5), normalize);
    Transform augment = !a.has("augment") ? normalize
        : cropPadding == 0 ? flipAndNormalize
        : Transform.compose(new RandomCrop(trainSet.imageShape()[1], cropPadding), flipAndNormalize);
    DataLoader trainLoader = new DataLoader(trainSet, batch).shuffle(true).seed(seed).transform(augment);
    DataLoader testLoader = new DataLoader(data.test(), 250).transform(normalize);
    List<ParamGroup> groups = ParamGroup.decayWeightsOnly(model.namedParameters(), lr, weightDecay);
    Optimizer opt;
    switch (optName) {
      case "adam":
        opt = new Adam(groups, 0.9, 0.999, 1e-8);
        break;
      case "adamw":
        opt = new AdamW(groups, 0.9, 0.999, 1e-8);
        break;
      default:
        opt = new SGD(groups, momentum, 0, momentum > 0);
    }
    long total = (long) epochs * trainLoader.numBatches();
    Schedule schedule;
    switch (scheduleName) {
      case "onecycle":
        schedule = Schedule.oneCycle(Math.max(total, 2));
        break;
      case "step":
        schedule = Schedule.step(Math.max(1, total / 3), 0.1);
        break;
      case "constant":
        schedule = Schedule.constant();
        break;
      default:
        schedule = Schedule.cosine(total, 0);
    }
    Trainer trainer = new Trainer(model, smoothing > 0 ? LossFunction.crossEntropy((float) smoothing, true)
        : LossFunction.crossEntropy(), opt).schedule(warmup > 0 ? schedule.withWarmup(warmup) : schedule)
        .callbacks(new KeepBestCheckpoint(outDir.resolve("best.safetensors")),
            new KeepLatestCheckpoint(outDir.resolve("checkpoint.safetensors"))).progress(out);
    if (a.has("resume")) {
      try {
        trainer.loadCheckpoint(a.path("resume"));
      } catch (java.nio.file.NoSuchFileException e) {
        throw new UsageException("train: checkpoint not found: " + a.path("resume"));
      } catch (IOException e) {
        throw new UsageException("train: cannot resume: " + e.getMessage(), e);
      }
      out.println("resumed from " + a.path("resume") + " after epoch " + trainer.epochsDone());
    }
    out.printf(Locale.ROOT, "model %s (%,d parameters), %s lr %s, %s schedule, batch %d, %d epochs%s%n", name,
        model.parameterCount(), optName, lr, scheduleName, batch, epochs, a.has("augment")
            ? ", augmented (" + (cropPadding > 0 ? "crop pad " + cropPadding + " + " : "") + "flip)" : "");
    long start = System.nanoTime();
    try {
      Files.createDirectories(outDir);
      trainer.fit(trainLoader, testLoader, epochs);
      trainer.saveCheckpoint(outDir.resolve("checkpoint.safetensors"));
      SafeTensors.write(outDir.resolve("model.safetensors"), model.stateDict(), Map.of("model", name));
      trainer.history().writeJson(outDir.resolve("metrics.json"));
      trainer.history().writeChart(outDir.resolve("curves.svg"));
    } catch (IOException e) {
      throw new UsageException("train: cannot write to " + outDir + ": " + e.getMessage(), e);
    }
    Evaluation ev = trainer.evaluate(testLoader);
    out.printf(Locale.ROOT, "trained in %.1f s; wrote checkpoint.safetensors, best.safetensors, model.safetensors,"
        + " metrics.json and curves.svg to %s%n", (System.nanoTime() - start) / 1e9, outDir);
    out.print(ev.confusionTable());
    out.printf(Locale.ROOT, "test accuracy: %.4f%n", ev.accuracy());
    return 0;
  }

  static int eval(String[] argv, PrintStream out) throws UsageException {
    Args a = new Args("eval", argv, Map.of("model", 1, "weights", 1, "data", 1, "batch", 1, "classes", 1,
        "threads", 1));
    String name = a.required("model");
    Path weights = Path.of(a.required("weights"));
    FashionMnist data = FashionData.load(a.path("data"), out::println);
    Module model;
    try {
      model = io.github.resnet4j.models.Models.create(name, data.test().imageShape()[0], a.integer("classes", 10, 1));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
    Weights.load(model, weights);
    DataLoader loader = new DataLoader(data.test(), a.integer("batch", 250, 1)).transform(FashionMnist.normalize());
    Evaluation ev = Trainer.evaluate(model, LossFunction.crossEntropy(), loader);
    out.printf(Locale.ROOT, "test loss: %.4f over %d images%n", ev.loss(), ev.count());
    out.print(ev.confusionTable());
    out.printf(Locale.ROOT, "test accuracy: %.4f%n", ev.accuracy());
    return 0;
  }
}
