package org.acme;

/** Trains the generated Xor model through its typed API, on the module path. */
public final class App {
  private App() {}

  public static void main(String[] args) {
    float[] x = {0, 0, 0, 1, 1, 0, 1, 1};
    float[] y = {0, 1, 1, 0};
    XorApi xor = new XorApi();
    xor.model().initialize(1);
    double first = xor.feedX(x).feedY(y).trainStep();
    double last = first;
    for (int i = 1; i < 500; i++) {
      last = xor.trainStep();
    }
    float[] pred = xor.feedX(x).forward().pred();
    System.out.printf(
        "xor on the module path: app %s, runtime %s, W1 has %d weights%n",
        App.class.getModule().getName(),
        org.gradc.runtime.Model.class.getModule().getName(),
        xor.W1().length);
    System.out.printf("loss %.4f -> %.4f, predictions", first, last);
    for (float p : pred) {
      System.out.printf(" %.2f", p);
    }
    System.out.println();
    if (!(last < 0.05 && pred[0] < 0.5 && pred[1] > 0.5 && pred[2] > 0.5 && pred[3] < 0.5)) {
      throw new AssertionError("xor not learned: loss " + last);
    }
  }
}
