package org.gradc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A task is a pure function of (parameters, step, partition): when the first attempt of partition
 * 1's task fails, Spark's retry (local[2,3] allows 3 attempts) gives the same parameters as a run
 * without failures.
 */
class FaultToleranceTest {
  private static SparkSession spark;
  private static TestData.Images images;

  /** Injected failures; local mode runs tasks in this JVM, so a static counter sees them. */
  static final AtomicInteger FAILURES = new AtomicInteger();

  @BeforeAll
  static void start() {
    spark = TestData.session("local[2,3]");
    images = TestData.images(spark, 96, 12, 4, 4);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static SparkTrainer trainer(int localSteps) {
    return SparkTrainer.of(spark, SmallMlp.class)
        .seed(42)
        .globalBatch(16)
        .partitions(2)
        .shuffle(9)
        .localSteps(localSteps);
  }

  @Test
  void aRetriedTaskReproducesItsShard() {
    SparkTrainer clean = trainer(1);
    clean.fit(images.frame());

    FAILURES.set(0);
    SparkTrainer faulty =
        trainer(1)
            .probe(
                step -> {
                  TaskContext c = TaskContext.get();
                  if (c.attemptNumber() == 0 && c.partitionId() == 1 && step % 3 == 1) {
                    FAILURES.incrementAndGet();
                    throw new IllegalStateException("injected failure at step " + step);
                  }
                });
    faulty.fit(images.frame());

    assertEquals(2, FAILURES.get(), "failures injected at steps 1 and 4");
    TestData.assertSameState(clean.model(), faulty.model());
  }

  @Test
  void aRetriedLocalSgdRoundToo() {
    SparkTrainer clean = trainer(2);
    clean.fit(images.frame());
    FAILURES.set(0);
    SparkTrainer faulty =
        trainer(2)
            .probe(
                step -> {
                  TaskContext c = TaskContext.get();
                  if (c.attemptNumber() == 0 && c.partitionId() == 1) {
                    FAILURES.incrementAndGet();
                    throw new IllegalStateException("injected failure at step " + step);
                  }
                });
    faulty.fit(images.frame());
    assertEquals(3, FAILURES.get(), "one failure per round of 2 steps");
    TestData.assertSameState(clean.model(), faulty.model());
  }
}
