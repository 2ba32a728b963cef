package org.gradc.compiler.codegen;

import java.util.function.Consumer;
import org.gradc.compiler.codegen.Lanes.BitOp;
import org.gradc.compiler.codegen.Lanes.F;
import org.gradc.compiler.codegen.Lanes.Op;
import org.gradc.compiler.ir.Scalar;

/**
 * What generated code computes for each {@link Scalar} function, defined once for scalar and vector
 * code alike: each function is written in the exactly rounded {@link Lanes} instructions, so a lane
 * gets the same bits in a scalar loop, a scalar tail, a vector of any width, interpreted or
 * compiled by any JIT tier. (The reference value of each function, in f64, is the function's own
 * {@link Scalar.UnaryFn#apply}.) The switches below are exhaustive: a new function does not compile
 * until it is defined here.
 *
 * <p>{@code exp}, {@code log} and {@code tanh} are range reduction plus polynomial, with f32 and
 * f64 coefficients of their own; their error is within a few units in the last place of the
 * correctly rounded result ({@code LaneMathTest} measures it), and their special values (±0,
 * subnormals, ±∞, NaN, overflow and underflow thresholds) are those of {@code Math}.
 */
final class LaneMath {
  private LaneMath() {}

  /** {@code … x → … fn(x)}. */
  static void unary(Scalar.UnaryFn fn, Lanes l) {
    Consumer<Lanes> code =
        switch (fn) {
          case NEG -> m -> m.op(Op.NEG);
          case ABS -> m -> m.op(Op.ABS);
          case SQRT -> m -> m.op(Op.SQRT);
          case EXP -> m -> m.load(new Builder(m).exp(m.store()));
          case LOG -> m -> m.load(new Builder(m).log(m.store()));
          case TANH -> m -> m.load(new Builder(m).tanh(m.store()));
          case SIGMOID -> m -> m.load(new Builder(m).sigmoid(m.store()));
        };
    code.accept(l);
    l.endFunction();
  }

  /** {@code … a, b → … fn(a, b)}. */
  static void binary(Scalar.BinaryFn fn, Lanes l) {
    Consumer<Lanes> code =
        switch (fn) {
          case ADD -> m -> m.op(Op.ADD);
          case SUB -> m -> m.op(Op.SUB);
          case MUL -> m -> m.op(Op.MUL);
          case DIV -> m -> m.op(Op.DIV);
          case MAX -> m -> m.op(Op.MAX);
          case MIN -> m -> m.op(Op.MIN);
          case POW -> Lanes::pow;
          case LT, LE, GT, GE, EQ, NE -> m -> m.compare(fn);
        };
    code.accept(l);
    l.endFunction();
  }

  /** The constants of one precision. */
  private record Constants(
      int mantissa,
      long bias,
      double shift,
      double ln2Hi,
      double ln2Lo,
      double expLo,
      double expHi,
      double[] expPoly,
      long sqrtHalfBits,
      double minNormal,
      int subnormalScale,
      double logLn2Hi,
      double logLn2Lo,
      double[] logOdd,
      double[] logEven,
      double[] tanhPoly) {}

  /** exp(r) = 1 + r + r²·(1/2! + r/3! + …): Taylor coefficients 1/2! … 1/n!. */
  private static double[] taylor(int n) {
    double[] c = new double[n - 1];
    double f = 1;
    for (int k = 2; k <= n; k++) {
      f *= k;
      c[k - 2] = 1 / f;
    }
    return c;
  }

  private static final Constants F32 =
      new Constants(
          23,
          127,
          0x1.8p23,
          // ln 2 in two parts, the first with 16 significant bits so n * hi is exact
          Float.intBitsToFloat(0x3f317200),
          Float.intBitsToFloat(0x35bfbe8e),
          // exp(-104) rounds to 0 and exp(89) overflows; clamping keeps 2^n representable
          -104,
          89,
          taylor(7), // |r| <= ln2/2: truncation error 5e-9 relative
          0x3f3504f3L, // sqrt(1/2)
          0x1p-126,
          25,
          // log: fdlibm's e_logf.c constants (FreeBSD); hi has 16 bits so k * hi is exact
          Float.intBitsToFloat(0x3f317180),
          Float.intBitsToFloat(0x3717f7d1),
          new double[] {0xaaaaaa.0p-24, 0x91e9ee.0p-25},
          new double[] {0xccce13.0p-25, 0xf89e26.0p-26},
          // tanh(x) = x + x³·P(x²) on |x| < 0.625: relative least-squares fit, error 4.7e-9
          new double[] {
            -0.33333279208370636,
            0.133313813543585,
            -0.053735318849328396,
            0.020626291822942105,
            -0.005691985662883399
          });

  private static final Constants F64 =
      new Constants(
          52,
          1023,
          0x1.8p52,
          0x1.62e42feep-1, // fdlibm's ln2HI: 32 significant bits
          0x1.a39ef35793c76p-33,
          -746,
          710,
          taylor(13), // truncation error 4e-18 relative
          0x3fe6a09e667f3bcdL,
          0x1p-1022,
          54,
          0x1.62e42feep-1,
          0x1.a39ef35793c76p-33,
          // fdlibm's e_log.c Lg1, Lg3, Lg5, Lg7 and Lg2, Lg4, Lg6
          new double[] {
            0x1.5555555555593p-1, 0x1.2492494229359p-2, 0x1.7466496cb03dep-3, 0x1.2f112df3e5244p-3
          },
          new double[] {0x1.999999997fa04p-2, 0x1.c71c51d8e78afp-3, 0x1.39a09d078c69fp-3},
          // tanh: as for f32, degree 11 in x², error 1.1e-17
          new double[] {
            -0.3333333333333282,
            0.13333333333258574,
            -0.053968253929884025,
            0.021869487548390396,
            -0.008863220678637084,
            0.0035919868055759104,
            -0.0014549477330272034,
            0.0005862827756886501,
            -0.00022850057920795148,
            7.70764978733634e-05,
            -1.604127192289327e-05
          });

  /** Below this |x|, tanh is its odd polynomial; above, 1 - 2 / (exp(2|x|) + 1). */
  private static final double TANH_POLY_END = 0.625;

  /** The functions, built from {@link Lanes} instructions on locals. */
  private static final class Builder {
    private final Lanes l;
    private final Constants k;

    Builder(Lanes l) {
      this.l = l;
      this.k = l.precision() == Precision.F32 ? F32 : F64;
    }

    F c(double v) {
      l.constant(v);
      return l.store();
    }

    F op(Op op, F a, F b) {
      l.load(a);
      l.load(b);
      l.op(op);
      return l.store();
    }

    F neg(F a) {
      l.load(a);
      l.op(Op.NEG);
      return l.store();
    }

    /** a * b + c. */
    F fma(F a, F b, F c) {
      l.load(a);
      l.load(b);
      l.load(c);
      l.fma();
      return l.store();
    }

    F select(Scalar.BinaryFn cmp, F a, F b, F ifTrue, F ifFalse) {
      l.select(cmp, a, b, ifTrue, ifFalse);
      return l.store();
    }

    /** c[0] + x·(c[1] + x·(…)), by Horner's rule with multiply-adds. */
    F poly(F x, double[] c) {
      l.constant(c[c.length - 1]);
      for (int i = c.length - 2; i >= 0; i--) {
        l.load(x);
        l.constant(c[i]);
        l.fma();
      }
      return l.store();
    }

    /** 2^n for an integer-valued n, as {@code z = n + shift}: its low bits are n. */
    F pow2(F z) {
      l.load(z);
      l.toBits();
      // the shift constant's bits end in zeros, so adding the bias and shifting leaves (n + bias)
      l.bits(BitOp.ADD, k.bias());
      l.bits(BitOp.SHL, k.mantissa());
      l.fromBits();
      return l.store();
    }

    /**
     * exp(x) = 2^n · exp(r), n = round(x / ln 2), r = x - n ln 2 (Cody-Waite: n · ln2Hi is exact).
     * 2^n is applied as two factors 2^h · 2^(n-h), so that results near overflow and in the
     * subnormal range are rounded once, like {@code Math.exp}.
     */
    F exp(F x) {
      F shift = c(k.shift());
      // clamped by compare and select (NaN compares false and stays NaN); cheaper than Java's
      // min/max, whose NaN and -0 rules cost x86 extra instructions
      F lo = c(k.expLo());
      F hi = c(k.expHi());
      F xc = select(Scalar.BinaryFn.GT, x, hi, hi, select(Scalar.BinaryFn.LT, x, lo, lo, x));
      F z = fma(xc, c(1 / Math.log(2)), shift);
      F n = op(Op.SUB, z, shift);
      F r = fma(n, c(-k.ln2Hi()), xc);
      r = fma(n, c(-k.ln2Lo()), r);
      F q = poly(r, k.expPoly());
      F y = op(Op.ADD, fma(q, op(Op.MUL, r, r), r), c(1));
      F zh = fma(n, c(0.5), shift); // n / 2 rounded to an integer, plus shift
      F rest = op(Op.ADD, op(Op.SUB, n, op(Op.SUB, zh, shift)), shift);
      return op(Op.MUL, op(Op.MUL, y, pow2(zh)), pow2(rest));
    }

    /**
     * fdlibm's log: x = 2^k · m with m in [√½, √2), f = m - 1, s = f / (2 + f), log(1 + f) = f -
     * f²/2 + s·(f²/2 + R(s²)). Subnormals are scaled into the normal range first.
     */
    F log(F x) {
      F minNormal = c(k.minNormal());
      F scaled =
          op(
              Op.MUL,
              x,
              select(
                  Scalar.BinaryFn.LT, x, minNormal, c(Math.scalb(1.0, k.subnormalScale())), c(1)));
      F kAdjust = select(Scalar.BinaryFn.LT, x, minNormal, c(-k.subnormalScale()), c(0));
      long oneBits = k.bias() << k.mantissa();
      long toM = oneBits - k.sqrtHalfBits();
      // k = exponent of x·√2, as a float: its bits OR'ed into the mantissa of 2^mantissa
      l.load(scaled);
      l.toBits();
      l.bits(BitOp.ADD, toM);
      l.bits(BitOp.USHR, k.mantissa());
      l.bits(BitOp.OR, (k.bias() + k.mantissa()) << k.mantissa());
      l.fromBits();
      F kRaw = l.store();
      F kf = op(Op.ADD, op(Op.SUB, kRaw, c(Math.scalb(1.0, k.mantissa()) + k.bias())), kAdjust);
      // m: the mantissa of x·√2, scaled back into [√½, √2)
      l.load(scaled);
      l.toBits();
      l.bits(BitOp.ADD, toM);
      l.bits(BitOp.AND, (1L << k.mantissa()) - 1);
      l.bits(BitOp.ADD, k.sqrtHalfBits());
      l.fromBits();
      F m = l.store();
      F f = op(Op.SUB, m, c(1));
      F s = op(Op.DIV, f, op(Op.ADD, c(2), f));
      F z = op(Op.MUL, s, s);
      F w = op(Op.MUL, z, z);
      F t1 = op(Op.MUL, w, poly(w, k.logEven()));
      F t2 = op(Op.MUL, z, poly(w, k.logOdd()));
      F r = op(Op.ADD, t2, t1);
      F hfsq = op(Op.MUL, op(Op.MUL, c(0.5), f), f);
      F sum = op(Op.MUL, s, op(Op.ADD, hfsq, r));
      sum = op(Op.ADD, sum, op(Op.MUL, kf, c(k.logLn2Lo())));
      sum = op(Op.SUB, sum, hfsq);
      sum = op(Op.ADD, sum, f);
      sum = op(Op.ADD, sum, op(Op.MUL, kf, c(k.logLn2Hi())));
      F zero = c(0);
      F inf = c(Double.POSITIVE_INFINITY);
      sum = select(Scalar.BinaryFn.EQ, x, inf, inf, sum);
      sum = select(Scalar.BinaryFn.EQ, x, zero, c(Double.NEGATIVE_INFINITY), sum);
      return select(Scalar.BinaryFn.GE, x, zero, sum, c(Double.NaN)); // x < 0 or NaN
    }

    /**
     * tanh(x) = x + x³·P(x²) for |x| &lt; 0.625, else ±(1 - 2 / (exp(2|x|) + 1)), which is ±1 once
     * exp overflows. ±0 is returned as is (the polynomial would turn -0 into +0).
     */
    F tanh(F x) {
      l.load(x);
      l.op(Op.ABS);
      F a = l.store();
      F zero = c(0);
      F one = c(1);
      F e = exp(op(Op.ADD, a, a));
      F big = op(Op.SUB, one, op(Op.DIV, c(2), op(Op.ADD, e, one)));
      big = select(Scalar.BinaryFn.LT, x, zero, neg(big), big);
      F z = op(Op.MUL, x, x);
      F small = fma(op(Op.MUL, x, z), poly(z, k.tanhPoly()), x);
      F t = select(Scalar.BinaryFn.LT, a, c(TANH_POLY_END), small, big);
      return select(Scalar.BinaryFn.EQ, x, zero, x, t);
    }

    /**
     * 1 / (1 + e) for x ≥ 0 and e / (1 + e) for x &lt; 0, e = exp(-|x|): exp never overflows, so
     * results far below 1 keep their precision down to the subnormals.
     */
    F sigmoid(F x) {
      l.load(x);
      l.op(Op.ABS);
      F e = exp(neg(l.store()));
      F d = op(Op.ADD, c(1), e);
      return select(Scalar.BinaryFn.LT, x, c(0), op(Op.DIV, e, d), op(Op.DIV, c(1), d));
    }
  }
}
