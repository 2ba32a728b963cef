package org.gradc.runtime.io;

import java.nio.ByteBuffer;
import org.gradc.runtime.DType;

/**
 * Which safetensors element types a {@link WeightImport} converts into which model element types,
 * and the decoding itself.
 *
 * <p>Into an {@code F32} tensor: {@code F32} as is; {@code F16} and {@code BF16} widened (exact:
 * every half and bfloat16 value is a float); {@code F64} rounded to the nearest float (the one
 * lossy conversion, accepted because NumPy writes float64 by default; a finite value beyond the
 * float range is refused rather than turned into infinity). Into an {@code F64} tensor: all four
 * widen exactly. Into an {@code I32} tensor: {@code I32} only. Everything else (integers into float
 * tensors, {@code BOOL}, {@code F8_*}) is refused: such tensors are counters or masks, not weights,
 * and are meant to be ignored (PyTorch's {@code num_batches_tracked} is {@code I64}).
 */
final class ElementConversion {
  private ElementConversion() {}

  /** Why {@code fileDtype} cannot go into a {@code target} tensor, or {@code null} if it can. */
  static String refusal(String fileDtype, DType target) {
    boolean ok =
        switch (target) {
          case F32, F64 -> isFloat(fileDtype);
          case I32 -> fileDtype.equals("I32");
        };
    if (ok) {
      return null;
    }
    return target == DType.I32
        ? "an I32 tensor takes I32 only"
        : "a floating-point tensor takes F32, F64, F16 or BF16";
  }

  static boolean isFloat(String dtype) {
    return switch (dtype) {
      case "F32", "F64", "F16", "BF16" -> true;
      default -> false;
    };
  }

  /**
   * Decodes {@code count} little-endian elements of {@code dtype} from {@code b} into {@code dst}
   * ({@code float[]}, {@code double[]} or {@code int[]}) from index {@code at}, for a pair {@link
   * #refusal} accepted.
   *
   * @return the index in {@code dst} of the first finite value that overflowed {@code float}, or -1
   */
  static int decode(ByteBuffer b, String dtype, int count, Object dst, int at) {
    if (dst instanceof int[] ints) {
      b.asIntBuffer().get(ints, at, count);
      return -1;
    }
    // One loop per type pair: the dtype is decided once per chunk, not once per element.
    int end = at + count;
    if (dst instanceof double[] d) {
      switch (dtype) {
        case "F64" -> b.asDoubleBuffer().get(d, at, count);
        case "F32" -> {
          for (int i = at; i < end; i++) {
            d[i] = b.getFloat();
          }
        }
        case "F16" -> {
          for (int i = at; i < end; i++) {
            d[i] = halfToFloat(b.getShort());
          }
        }
        default -> {
          for (int i = at; i < end; i++) {
            d[i] = bfloat16ToFloat(b.getShort());
          }
        }
      }
      return -1;
    }
    float[] f = (float[]) dst;
    switch (dtype) {
      case "F32" -> b.asFloatBuffer().get(f, at, count);
      case "F16" -> {
        for (int i = at; i < end; i++) {
          f[i] = halfToFloat(b.getShort());
        }
      }
      case "BF16" -> {
        for (int i = at; i < end; i++) {
          f[i] = bfloat16ToFloat(b.getShort());
        }
      }
      default -> {
        int overflow = -1;
        for (int i = at; i < end; i++) {
          double v = b.getDouble();
          f[i] = (float) v;
          if (overflow < 0 && Float.isInfinite(f[i]) && !Double.isInfinite(v)) {
            overflow = i;
          }
        }
        return overflow;
      }
    }
    return -1;
  }

  /** IEEE 754 binary16 to float, exactly (Java 17 has no {@code Float.float16ToFloat}). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      // Infinity, or a NaN: payload kept in the high mantissa bits and made quiet, as the JDK's
      // Float.float16ToFloat (Java 20+) and x86's vcvtph2ps do.
      int quiet = mantissa != 0 ? 0x00400000 : 0;
      return Float.intBitsToFloat(sign | 0x7f800000 | quiet | (mantissa << 13));
    }
    if (exponent == 0) {
      // Zero or subnormal: mantissa × 2^-24, exact in float.
      float v = mantissa * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
  }

  /** bfloat16 is the high half of a float. */
  static float bfloat16ToFloat(short h) {
    return Float.intBitsToFloat((h & 0xffff) << 16);
  }
}
