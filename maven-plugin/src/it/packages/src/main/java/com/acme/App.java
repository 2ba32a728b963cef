package com.acme;

import com.acme.generated.Deep;
import com.acme.text.Text;
import com.acme.vision.Vision;

/** Compiles only if every generated class is in the package its folder or packageName says. */
public final class App {
  private App() {}

  public static String names() {
    return new Vision().spec().modelName()
        + " "
        + new Text().spec().modelName()
        + " "
        + new Deep().spec().modelName();
  }
}
