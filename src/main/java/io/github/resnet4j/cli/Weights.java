package io.github.resnet4j.cli;

import io.github.resnet4j.io.SafeTensors;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Loads a state dict, or the model part of a training checkpoint, into a model. */
final class Weights {
  private Weights() {}

  static void load(Module model, Path file) throws UsageException {
    Map<String, Tensor> all;
    try {
      all = SafeTensors.readAll(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UsageException("weights file not found: " + file);
    } catch (IOException e) {
      throw new UsageException("cannot read weights: " + e.getMessage(), e);
    }
    boolean checkpoint = all.keySet().stream().anyMatch(k -> k.startsWith("model."));
    Map<String, Tensor> state = new LinkedHashMap<>();
    all.forEach((k, v) -> {
      if (!checkpoint) {
        state.put(k, v);
      } else if (k.startsWith("model.")) {
        state.put(k.substring(6), v);
      }
    });
    try {
      model.loadStateDict(state, true);
    } catch (IllegalArgumentException e) {
      throw new UsageException(file + ": " + e.getMessage(), e);
    }
  }
}
