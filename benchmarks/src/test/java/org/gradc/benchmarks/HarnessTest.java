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
  }
}
