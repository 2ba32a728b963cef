package org.acme;

/** Java code compiled against both generated classes. */
public final class Uses {
  private Uses() {}

  public static String names() {
    return new Xor().spec().modelName() + " " + new Line().spec().modelName();
  }
}
