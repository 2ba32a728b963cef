package org.gradc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise of docs/runtime.md: a seed gives the same bits, whatever the JIT does. Seeded
 * trainings run in fresh JVMs — C1 only (the Vector API's Java fallback throughout), C2 from the
 * first hundred calls, and the default tiers (code changing from interpreted to compiled mid-run) —
 * with each back end, and a run resumed from a checkpoint; every checkpoint's tensors must be the
 * same bits. Before element functions were built from exactly rounded operations, C2's vector math
 * stubs made the vector back end's runs differ in the last bits.
 */
class SeededRunsTest {
  private static final String MODEL = "../examples/src/main/grad/org/gradc/examples/Spirals.grad";
  private static final String C1_ONLY = "-XX:TieredStopAtLevel=1";
  private static final String[] EARLY_C2 = {"-XX:-TieredCompilation", "-XX:CompileThreshold=100"};

  @Test
  void sameSeedSameBitsWithAnyJitStateBackEndOrResume(@TempDir Path dir) throws Exception {
    Map<String, byte[]> reference = train(dir, "vector", 3, null, C1_ONLY);
    assertEquals(18, reference.size(), reference.keySet().toString());
    same(reference, train(dir, "vector", 3, null, EARLY_C2), "vector back end, early C2");
    same(reference, train(dir, "vector", 3, null), "vector back end, default tiers");
    same(reference, train(dir, "scalar", 3, null, C1_ONLY), "scalar back end, C1 only");
    same(reference, train(dir, "scalar", 3, null, EARLY_C2), "scalar back end, early C2");
    Path half = dir.resolve("half.safetensors");
    train(dir, "vector", 2, null);
    Files.copy(dir.resolve("last.safetensors"), half);
    same(reference, train(dir, "vector", 3, half), "vector back end, resumed after epoch 2");
  }

  private static void same(Map<String, byte[]> want, Map<String, byte[]> got, String what) {
    assertEquals(want.keySet(), got.keySet(), what);
    List<String> differ = new ArrayList<>();
    for (String name : want.keySet()) {
      if (!Arrays.equals(want.get(name), got.get(name))) {
        differ.add(name);
      }
    }
    assertTrue(differ.isEmpty(), what + ": tensors differ from the C1-only run: " + differ);
  }

  /** Trains in a fresh JVM and returns the checkpoint's tensors (name to raw bytes). */
  private static Map<String, byte[]> train(
      Path dir, String backend, int epochs, Path resume, String... jvmFlags) throws Exception {
    Path out = dir.resolve("last.safetensors");
    Files.deleteIfExists(out);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.addAll(List.of(jvmFlags));
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            GradcCommand.class.getName(),
            "train",
            MODEL,
            "--data",
            "synthetic:spirals?n=600",
            "--epochs",
            String.valueOf(epochs),
            "--batch",
            "32",
            "--seed",
            "3",
            "--progress",
            "none",
            "--backend",
            backend,
            "--save",
            out.toString()));
    if (resume != null) {
      cmd.add("--resume");
      cmd.add(resume.toString());
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + log);
    return tensors(Files.readAllBytes(out));
  }

  private static final Pattern TENSOR =
      Pattern.compile(
          "\"([^\"]+)\":\\{\"dtype\":\"[^\"]+\",\"shape\":\\[[^]]*],\"data_offsets\":\\[(\\d+),(\\d+)]}");

  /** The tensors of a safetensors file; the metadata (timestamps, provenance) is left out. */
  static Map<String, byte[]> tensors(byte[] file) {
    long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String header = new String(file, 8, (int) headerLength, StandardCharsets.UTF_8);
    int base = 8 + (int) headerLength;
    Map<String, byte[]> out = new TreeMap<>();
    Matcher m = TENSOR.matcher(header);
    while (m.find()) {
      int from = base + Integer.parseInt(m.group(2));
      int to = base + Integer.parseInt(m.group(3));
      out.put(m.group(1), Arrays.copyOfRange(file, from, to));
    }
    return out;
  }
}
