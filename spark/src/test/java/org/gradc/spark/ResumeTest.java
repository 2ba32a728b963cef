package org.gradc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.gradc.runtime.io.CheckpointException;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.LrSchedule;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.TrainingContext;
import org.gradc.runtime.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10 steps straight equal 5 steps, a checkpoint, a new Spark session, and 5 more steps from the
 * checkpoint: parameters, optimizer state, step count and the epoch's metrics.
 */
class ResumeTest {
  @TempDir Path dir;

  private static SparkTrainer trainer(SparkSession spark) {
    return SparkTrainer.of(spark, SmallMlp.class)
        .seed(42)
        .globalBatch(16)
        .partitions(2)
        .shuffle(5)
        .schedule(LrSchedule.cosine(0));
  }

  @Test
  void fiveStepsCheckpointNewSessionFiveMoreEqualsTenStraight() throws Exception {
    SparkSession first = TestData.session("local[2]");
    TestData.Images images = TestData.images(first, 160, 12, 4, 6); // 10 steps of 16
    SparkTrainer straight = trainer(first);
    History whole = straight.fit(images.frame());

    String ckpt = dir.resolve("run").toUri().toString();
    SparkTrainer part =
        trainer(first)
            .checkpoint(ckpt, 5)
            .listener(
                new TrainingListener() {
                  @Override
                  public void onBatchEnd(TrainingContext c) {
                    if (c.step() == 5) {
                      c.requestStop();
                    }
                  }
                });
    part.fit(images.frame());
    assertEquals(5, part.model().steps());
    first.stop();

    SparkSession second = TestData.session("local[2]");
    try {
      TestData.Images again = TestData.images(second, 160, 12, 4, 6);
      SparkTrainer resumed = trainer(second).resume(ckpt);
      History rest = resumed.fit(again.frame());
      TestData.assertSameState(straight.model(), resumed.model());
      assertEquals(1, rest.size());
      for (Metric m : List.of(Metric.LOSS, Metric.ACCURACY, Metric.LR)) {
        assertEquals(whole.epoch(1).get(m), rest.epoch(1).get(m), m.name());
      }
      try (Stream<Path> files = Files.list(dir.resolve("run"))) {
        assertEquals(
            List.of("step-000000000005.safetensors"),
            files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList());
      }

      // other data: refused, with the reason
      TestData.Images other = TestData.images(second, 160, 12, 4, 7);
      var e =
          assertThrows(
              CheckpointException.class, () -> trainer(second).resume(ckpt).fit(other.frame()));
      assertTrue(
          e.getMessage().contains("cannot resume bit-identically: the training data was"),
          e.getMessage());
      var b =
          assertThrows(
              CheckpointException.class,
              () -> trainer(second).globalBatch(32).resume(ckpt).fit(again.frame()));
      assertTrue(b.getMessage().contains("the global_batch was 16, now it is 32"), b.getMessage());
    } finally {
      second.stop();
    }
  }
}
