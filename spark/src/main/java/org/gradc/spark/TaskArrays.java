package org.gradc.spark;

import java.lang.reflect.Array;
import java.util.List;

/** Copies between a model's live tensor arrays and the arrays that travel between JVMs. */
final class TaskArrays {
  private TaskArrays() {}

  /** Copies of {@code live}'s arrays ({@code float[]}/{@code double[]}), in order. */
  static Object[] copyOf(List<Object> live) {
    Object[] out = new Object[live.size()];
    for (int i = 0; i < out.length; i++) {
      Object a = live.get(i);
      out[i] =
          a instanceof float[] f ? f.clone() : a instanceof double[] d ? d.clone() : unknown(a);
    }
    return out;
  }

  /** Copies {@code src[i]} into {@code live.get(i)} for every i (same types and lengths). */
  static void copyInto(Object[] src, List<Object> live) {
    if (src.length != live.size()) {
      throw new IllegalStateException(src.length + " arrays for " + live.size() + " tensors");
    }
    for (int i = 0; i < src.length; i++) {
      System.arraycopy(src[i], 0, live.get(i), 0, Array.getLength(src[i]));
    }
  }

  private static Object unknown(Object a) {
    throw new IllegalStateException("not a float[] or double[]: " + a);
  }
}
