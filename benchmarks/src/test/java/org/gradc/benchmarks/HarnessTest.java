package org.gradc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The harness's summary of interleaved rounds, and the hand-written prediction it times. */
class HarnessTest {

  @Test
  void bestRoundIsTheLeastOfEachNumberAndTheSpreadShowsTheMedian() {
    List<Map<String, Double>> rounds =
        List.of(
            Map.of("epoch_s", 2.0, "first_epoch_s", 5.0),
            Map.of("epoch_s", 1.5, "first_epoch_s", 6.0),
            Map.of("epoch_s", 3.0, "first_epoch_s", 4.0));
    assertEquals(Map.of("epoch_s", 1.5, "first_epoch_s", 4.0), Harness.best(rounds));
    Map<String, List<Map<String, Double>>> runs = new LinkedHashMap<>();
    runs.put("gradc-mlp", rounds);
    String s = Harness.spread(runs);
    assertTrue(s.contains("epoch_s                1.5000     2.0000     3.0000  (3)"), s);
  }

  /**
   * The gradc workloads compile their model from the class path: a missing resource (as once {@code
   * fashion_mlp.grad}) fails here, not only in a harness run.
   */
  @Test
  void gradcPredictWorkloadRunsOnTheExampleModel() throws Exception {
    String json = Workload.predict(true, 20);
    assertTrue(json.startsWith("{\"calls\": 20, \"median_us\": "), json);
  }

  /** The harness's own resources are packaged (a resources list in the pom once left them out). */
  @Test
  void harnessResourcesAreOnTheClassPath() {
    for (String name : new String[] {"torch_bench.py", "xor.grad"}) {
      assertTrue(Harness.class.getResource(name) != null, name);
    }
  }

  /** The LSTM rows: both step times and gradc's over PyTorch's; nothing without a gradc run. */
  @Test
  void lstmRowsShowTheRatioToPyTorch() {
    Map<String, Map<String, Double>> r = new LinkedHashMap<>();
    r.put("gradc-lstm", Map.of("lstm_step_ms", 10.0));
    r.put("torch-lstm", Map.of("lstm_step_ms", 40.0));
    String s = Harness.lstmTable(r);
    assertTrue(s.contains("LSTM step, T=16 H=128 (ms)          10.00"), s);
    assertTrue(s.contains("40.00"), s);
    assertTrue(s.contains("LSTM step gradc / PyTorch 1 thread     0.250"), s);
    assertEquals("", Harness.lstmTable(Map.of()));
  }

  /** predict shares the forward pass with trainStep: its probability gives trainStep's loss. */
  @Test
  void handWrittenPredictionAgreesWithTheTrainingStepsLoss() {
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[HandWrittenMlp.IN];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    HandWrittenMlp h = new HandWrittenMlp(1, 2);
    float[] probs = new float[HandWrittenMlp.OUT];
    h.predict(x, probs);
    double sum = 0;
    for (float p : probs) {
      sum += p;
    }
    assertEquals(1, sum, 1e-5);
    double loss = h.trainStep(x, new int[] {3}, 1, 1e-3f);
    assertEquals(-Math.log(probs[3]), loss, 1e-5);
  }

  /** The harness's {@code gradc-train} runs with the JIT options {@code gradc train} gets. */
  @Test
  void trainWorkloadGetsTheLaunchersJitOptions() throws Exception {
    String launcher = java.nio.file.Files.readString(java.nio.file.Path.of("..", "gradc"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?m)^train_jit=\"([^\"]*)\"$").matcher(launcher);
    assertTrue(m.find(), "the launcher defines train_jit");
    assertEquals(String.join(" ", Harness.TRAIN_JIT_OPTIONS), m.group(1));
    assertTrue(launcher.contains("train) jit=\"$train_jit\""), "gradc train passes train_jit");
    assertTrue(
        launcher.contains(
            "-XX:+UseParallelGC " + String.join(" ", Harness.LAUNCHER_HEAP_OPTIONS) + " $jit"),
        "the launcher's heap options are the harness's");
  }

  /**
   * Trainer.fit over the bare loop: whole and without validation, in wall and CPU time, with where
   * the wall time off the CPU went, against the bare loop with and without the launcher's options.
   */
  @Test
  void fitOverBareSplitsValidationAndTheWallOffTheCpu() {
    Map<String, Map<String, Double>> r = new LinkedHashMap<>();
    r.put(
        "gradc-mlp",
        Map.of(
            "epoch_s",
            0.5,
            "epoch_cpu_s",
            0.5,
            "epoch_wait_s",
            0.0,
            "epoch_blocked_s",
            0.0,
            "epoch_gc_s",
            0.0,
            "epoch_jit_cpu_s",
            0.2));
    r.put("gradc-mlp-launcher", Map.of("epoch_s", 0.52, "epoch_cpu_s", 0.52));
    Map<String, Double> fit = new LinkedHashMap<>();
    fit.putAll(
        Map.of(
            "epoch_s",
            0.66,
            "epoch_cpu_s",
            0.54,
            "epoch_wait_s",
            0.01,
            "epoch_blocked_s",
            0.11,
            "epoch_gc_s",
            0.1,
            "epoch_jit_cpu_s",
            0.05,
            "val_s",
            0.03,
            "train_s",
            0.63,
            "train_cpu_s",
            0.51));
    r.put("gradc-train", fit);
    r.put("gradc-mlp", new LinkedHashMap<>(r.get("gradc-mlp")));
    r.get("gradc-mlp").put("steps", 1000.0);
    r.put("trainer-step", Map.of("trainer_us_per_step", 2.5));
    String s = Harness.fitOverBare(r);
    assertTrue(s.contains("MLP epoch Trainer.fit / bare loop      1.320   [<= 1.10]"), s);
    assertTrue(s.contains("(validation: 0.060 of it)"), s);
    assertTrue(s.contains("its training part / bare loop      1.260"), s);
    assertTrue(s.contains("blocked 0.110 / 0.000 s (GC pauses 0.100 / 0.000 s)"), s);
    assertTrue(s.contains("the same in thread CPU time            1.080"), s);
    assertTrue(s.contains("training part 1.020"), s);
    assertTrue(s.contains("gradc train's JVM options / none  1.040"), s);
    assertTrue(s.contains("both with them  1.269 (thread CPU 1.038"), s);
    assertTrue(
        s.contains("the trainer's own work a step          2.50 us (0.5 % of a bare MLP step"), s);
    assertTrue(!s.contains("one JVM"), "no gradc-overhead run, no row: " + s);
  }
}
