package org.acme;

/** Trains the generated {@link Xor} class on the four XOR points. */
public final class XorTraining {
  static final float[] X = {0, 0, 0, 1, 1, 0, 1, 1};
  static final float[] Y = {0, 1, 1, 0};

  private XorTraining() {}

  /** Takes {@code steps} full-batch steps; returns the loss before the first and after the last. */
  public static double[] train(int steps) {
    Xor model = new Xor();
    model.initialize(1);
    model.feed("x", X);
    model.feed("y", Y);
    double first = model.trainStep();
    for (int i = 1; i < steps; i++) {
      model.trainStep();
    }
    model.feed("x", X);
    model.feed("y", Y);
    double last = model.lossAndGradients();
    return new double[] {first, last};
  }

  public static void main(String[] args) {
    double[] loss = train(500);
    System.out.printf("xor: loss %.4f -> %.4f%n", loss[0], loss[1]);
  }
}
