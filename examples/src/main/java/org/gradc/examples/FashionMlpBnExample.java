package org.gradc.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.Datasets;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Trainer;

/**
 * Trains {@code FashionMlpBn.grad} (batch norm and dropout) on Fashion-MNIST with the training
 * class, saves a checkpoint, and predicts the test set with the inference-only class the plugin
 * generated from the same file ({@code org.gradc.examples.inference.FashionMlpBn}: forward and
 * evaluate only), which loads that checkpoint. Its accuracy equals the trainer's validation
 * accuracy: both run the evaluation-mode code.
 *
 * <p>Arguments: the Fashion-MNIST folder (default {@value FashionMnistExample#DEFAULT_DIR}) and the
 * number of epochs (default 1).
 */
public final class FashionMlpBnExample {
  private FashionMlpBnExample() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : FashionMnistExample.DEFAULT_DIR);
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    Path gone = FashionMnistExample.missing(dir);
    if (gone != null) {
      System.err.println(
          "Fashion-MNIST not found: " + gone + " does not exist (see FashionMnistExample).");
      System.exit(2);
    }
    String[] f = FashionMnistExample.FILES;
    Dataset train = Datasets.idx(dir.resolve(f[0]), dir.resolve(f[1])).normalize(255f);
    Dataset test = Datasets.idx(dir.resolve(f[2]), dir.resolve(f[3])).normalize(255f);

    FashionMlpBn model = new FashionMlpBn();
    model.initialize(42);
    History history =
        Trainer.of(model).epochs(epochs).batchSize(64).shuffle(7).validate(test).fit(train);
    Path checkpoint = Files.createTempFile("fashion-mlp-bn", ".safetensors");
    model.save(checkpoint);

    org.gradc.examples.inference.FashionMlpBn predictor =
        new org.gradc.examples.inference.FashionMlpBn();
    predictor.load(checkpoint);
    float[] x = ((FloatColumn) test.column("x")).data();
    int[] y = ((IntColumn) test.column("y")).data();
    int correct = 0;
    int chunk = 1000;
    for (int from = 0; from < y.length; from += chunk) {
      int rows = Math.min(chunk, y.length - from);
      float[] part = new float[rows * 784];
      System.arraycopy(x, from * 784, part, 0, part.length);
      predictor.feed("x", part);
      predictor.forward();
      float[] probs = predictor.output("probs");
      for (int r = 0; r < rows; r++) {
        int best = 0;
        for (int c = 1; c < 10; c++) {
          if (probs[r * 10 + c] > probs[r * 10 + best]) {
            best = c;
          }
        }
        correct += best == y[from + r] ? 1 : 0;
      }
    }
    Files.delete(checkpoint);
    System.out.printf(
        "trainer's validation accuracy %.4f; inference-only class on the test set %.4f%n",
        history.last().get(Metric.VAL_ACCURACY), correct / (double) y.length);
  }
}
