package io.github.resnet4j.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The resnet4j command line: {@code train}, {@code eval}, {@code summary}, {@code predict}, {@code bench}.
 * With no arguments it runs the main job: a seed-style ResNet trained on the bundled Fashion-MNIST sample.
 * Bad arguments or files exit with code 2 and one line naming the problem.
 */
public final class Main {
  /** The main job of the README: quick, offline, on the bundled sample. */
  static final String[] MAIN_JOB = {"train", "--model", "seed-small", "--epochs", "8", "--batch", "64", "--lr", "0.05",
      "--augment", "--out", "resnet4j-out"};

  private Main() {}

  /**
   * Runs a command and exits with its status.
   *
   * @param args the command and its options; none for the main job
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs a command without exiting, for tests and embedding.
   *
   * @param args the command and its options
   * @param out where results go
   * @param err where the one-line error goes
   * @return 0 on success, 2 on bad arguments or files, 1 on an internal error
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    configureBeforeLoading(args);
    String[] argv = args.length == 0 ? MAIN_JOB : args;
    String cmd = argv[0];
    String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
    try {
      switch (cmd) {
        case "train":
          return TrainCommand.train(rest, out);
        case "eval":
          return TrainCommand.eval(rest, out);
        case "summary":
          return SummaryCommand.run(rest, out);
        case "predict":
          return PredictCommand.run(rest, out);
        case "bench":
          return BenchCommand.run(rest, out);
        case "help":
        case "--help":
        case "-h":
          out.print(help());
          return 0;
        default:
          throw new UsageException("unknown command '" + cmd + "'; commands: train, eval, summary, predict, bench, help");
      }
    } catch (UsageException e) {
      err.println("error: " + e.getMessage().replace('\n', ' '));
      return 2;
    }
  }

  /** Settings read once when their classes load: the thread count and the CLI's logging configuration. */
  private static void configureBeforeLoading(String[] args) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--threads")) {
        System.setProperty("resnet4j.threads", args[i + 1]);
      }
    }
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "io/github/resnet4j/cli/logback-cli.xml");
    }
  }

  static String help() {
    return String.join("\n",
        "usage: resnet4j <command> [options]     (no command: the main job, train on the bundled sample)",
        "",
        "  train    [--model NAME] [--data DIR] [--epochs N] [--batch B] [--lr X] [--optimizer sgd|adam|adamw]",
        "           [--schedule cosine|onecycle|step|constant] [--augment] [--seed S] [--out DIR] [--resume CKPT]",
        "           [--weight-decay X] [--momentum X] [--label-smoothing X] [--warmup STEPS] [--limit N]",
        "           [--crop-padding P]   (with --augment: crop from the image padded by P, default 2; 0 = flip only)",
        "  eval     --model NAME --weights FILE [--data DIR]",
        "  summary  --model NAME [--in-channels C] [--input-size H W] [--classes K]",
        "  predict  --model NAME --weights FILE.safetensors --input X.npy --output Y.npy [--classes K]",
        "           [--in-channels C]",
        "  bench    --model NAME --mode infer|train --batch N [--iters K] [--input-size H W]",
        "           [--warmup W] [--warmup-seconds S]   (timed runs follow >= W steps and >= S seconds: 3, and 5 (12 for train))",
        "  bench    gemm --size N [--iters K] [--warmup-seconds S]",
        "",
        "  every command takes --threads T (default: all cores)",
        "",
        "models: " + String.join(", ", io.github.resnet4j.models.Models.names()),
        "data:   --data DIR reads the four Fashion-MNIST IDX files (apt-get install dataset-fashion-mnist puts",
        "        them in /usr/share/datasets/fashion-mnist); without it the bundled sample is used",
        "");
  }
}
