package org.acme;

/** Feeds an input the model does not have: javac must reject it. */
public final class Misspelled {
  private Misspelled() {}

  public static float[] run() {
    return new XorApi().feedInput(new float[] {0, 1}).forward().pred();
  }
}
