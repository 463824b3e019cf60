package io.github.resnet4j.io;

import io.github.resnet4j.testing.Fixtures;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the PyTorch fixture files and checks them against manifest.json. */
class SafeTensorsFixturesTest {
  @TempDir Path tmp;

  static List<Path> fixtureFiles() throws IOException {
    try (Stream<Path> s = Files.list(Fixtures.dir())) {
      List<Path> files = new ArrayList<>();
      s.filter(p -> p.toString().endsWith(".safetensors")).sorted().forEach(files::add);
      return files;
    }
  }

  static List<?> manifest() throws Exception {
    String text = Files.readString(Fixtures.path("manifest.json"), StandardCharsets.UTF_8);
    return (List<?>) Json.parse(text);
  }

  @Test
  void readsEveryFixtureFile() throws Exception {
    List<Path> files = fixtureFiles();
    assertTrue(files.size() >= 30, "expected the fixture set, found " + files);
    for (Path f : files) {
      SafeTensorsFile st = SafeTensors.read(f);
      assertTrue(!st.names().isEmpty(), f.toString());
      Map<String, Tensor> all = st.asMap();
      assertEquals(st.names(), List.copyOf(all.keySet()));
      for (String name : st.names()) {
        Tensor t = all.get(name);
        assertArrayEquals(st.shape(name), t.shape(), f + " " + name);
        assertEquals(st.dtype(name) == SafeTensorsDType.I64 ? DType.INT64 : DType.FLOAT32, t.dtype());
        assertTrue(st.dtype(name) == SafeTensorsDType.F32 || st.dtype(name) == SafeTensorsDType.I64);
      }
      String stem = f.getFileName().toString().replace(".safetensors", "");
      assertEquals(stem, st.metadata().get("case"), f.toString());
      for (String key : List.of("op", "case", "generator_seed", "torch_version", "layout")) {
        assertTrue(st.metadata().containsKey(key), f + " lacks metadata " + key);
      }
    }
  }

  @Test
  void shapesMatchManifestForEveryFile() throws Exception {
    List<?> manifest = manifest();
    assertEquals(fixtureFiles().size(), manifest.size());
    for (Object o : manifest) {
      Map<?, ?> entry = (Map<?, ?>) o;
      Path f = Fixtures.path((String) entry.get("file"));
      assertEquals(((Long) entry.get("bytes")).longValue(), Files.size(f), f.toString());
      SafeTensorsFile st = SafeTensors.read(f);
      Map<?, ?> shapes = (Map<?, ?>) entry.get("tensors");
      assertEquals(shapes.keySet(), new HashSet<>(st.names()), f.toString());
      for (Map.Entry<?, ?> kv : shapes.entrySet()) {
        List<?> expected = (List<?>) kv.getValue();
        int[] shape = expected.stream().mapToInt(x -> ((Long) x).intValue()).toArray();
        assertArrayEquals(shape, st.shape((String) kv.getKey()), f + " " + kv.getKey());
      }
    }
  }

  @Test
  void knownShapesAndValues() throws Exception {
    SafeTensorsFile conv = Fixtures.load("conv2d_k3_s1_valid_bias");
    assertArrayEquals(new int[] {4, 3, 3, 3}, conv.shape("weight"));
    assertArrayEquals(new int[] {2, 4, 5, 5}, conv.shape("output"));
    assertEquals("conv2d", conv.metadata().get("op"));
    SafeTensorsFile ce = Fixtures.load("softmax_cross_entropy.safetensors");
    assertArrayEquals(new int[] {}, ce.shape("output"));
    assertEquals(1, ce.tensor("output").numel());
  }

  @Test
  void labelsEqualLabelsF32() throws Exception {
    int found = 0;
    for (Path f : fixtureFiles()) {
      SafeTensorsFile st = SafeTensors.read(f);
      if (!st.contains("labels")) {
        continue;
      }
      found++;
      assertEquals(SafeTensorsDType.I64, st.dtype("labels"));
      assertEquals(SafeTensorsDType.F32, st.dtype("labels_f32"));
      Tensor labels = st.tensor("labels");
      Tensor f32 = st.tensor("labels_f32");
      assertEquals(DType.INT64, labels.dtype());
      assertArrayEquals(f32.shape(), labels.shape());
      assertArrayEquals(f32.toFloatArray(), labels.toFloatArray(), f.toString());
    }
    assertTrue(found >= 2, "expected labels in the cross-entropy and seed-model fixtures, found " + found);
  }

  @Test
  void numBatchesTrackedIsInt64() throws Exception {
    SafeTensorsFile m = Fixtures.load("seed_model_b2");
    Tensor before = m.tensor("block1.bn.num_batches_tracked");
    Tensor after = m.tensor("block1.bn.num_batches_tracked.after");
    assertEquals(DType.INT64, after.dtype());
    assertEquals(before.item() + 1, after.item());
  }

  /** Our writer lays a file out exactly as the fixture generator did: name order, metadata last. */
  @Test
  void rewritingAFixtureIsByteIdentical() throws Exception {
    for (Path f : fixtureFiles()) {
      SafeTensorsFile st = SafeTensors.read(f);
      Path out = tmp.resolve(f.getFileName());
      SafeTensors.write(out, st.asMap(), st.metadata());
      assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(out), f.toString());
    }
  }
}
