package org.gradc.compiler.ir;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registry of primitives the language can call, by name. Operators are calls too: {@code a + b}
 * is {@code add(a, b)} (see {@link #forOperator}). Adding a primitive is one class and one line in
 * {@link #registerAll}.
 */
public final class Primitives {
  private static final Map<String, Primitive> BY_NAME = new LinkedHashMap<>();

  static {
    registerAll();
  }

  private Primitives() {}

  private static void registerAll() {
    // One line per primitive. Leaves (input, param, fill, constant) are not called by name: the
    // front end creates them through ops.Emit.
    register(org.gradc.compiler.ir.ops.Add.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Sub.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Mul.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Div.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Neg.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Pow.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Exp.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Log.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Sqrt.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Tanh.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Sigmoid.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Softplus.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.LogSigmoid.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Abs.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Max.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Min.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Compare.LT);
    register(org.gradc.compiler.ir.ops.Compare.LE);
    register(org.gradc.compiler.ir.ops.Compare.GT);
    register(org.gradc.compiler.ir.ops.Compare.GE);
    register(org.gradc.compiler.ir.ops.Compare.EQ);
    register(org.gradc.compiler.ir.ops.Compare.NE);
    register(org.gradc.compiler.ir.ops.Where.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.StopGradient.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.MatMul.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Transpose.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Reshape.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.BroadcastTo.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Sum.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Mean.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.ReduceMax.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.OneHot.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Gather.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Concat.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Slice.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Reshape.FLATTEN);
    register(org.gradc.compiler.ir.ops.Conv2d.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Conv2d.SAME);
    register(org.gradc.compiler.ir.ops.MaxPool2d.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.AvgPool2d.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.Concat.STACK);
    register(org.gradc.compiler.ir.ops.Fill.ZEROS);
    register(org.gradc.compiler.ir.ops.Fill.ONES);
    register(org.gradc.compiler.ir.ops.Fill.FULL);
    register(org.gradc.compiler.ir.ops.Embedding.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.DropoutMask.PRIMITIVE);
    register(org.gradc.compiler.ir.ops.BatchNorm.PRIMITIVE);
  }

  static void register(Primitive p) {
    if (BY_NAME.putIfAbsent(p.name(), p) != null) {
      throw new IllegalStateException("primitive registered twice: " + p.name());
    }
  }

  /** The primitive called {@code name}, or {@code null}. */
  public static Primitive lookup(String name) {
    return BY_NAME.get(name);
  }

  public static Collection<Primitive> all() {
    return Collections.unmodifiableCollection(BY_NAME.values());
  }

  /**
   * The primitive an operator stands for: {@code + - * / @ ^} are {@code add sub mul div matmul
   * pow}; unary {@code -} is {@code neg}; {@code < <= > >= == !=} are {@code lt le gt ge eq ne}.
   */
  public static String forOperator(String operator, boolean unary) {
    if (unary) {
      if (operator.equals("-")) {
        return "neg";
      }
      throw new IllegalArgumentException("no unary operator " + operator);
    }
    return switch (operator) {
      case "+" -> "add";
      case "-" -> "sub";
      case "*" -> "mul";
      case "/" -> "div";
      case "@" -> "matmul";
      case "^" -> "pow";
      case "<" -> "lt";
      case "<=" -> "le";
      case ">" -> "gt";
      case ">=" -> "ge";
      case "==" -> "eq";
      case "!=" -> "ne";
      default -> throw new IllegalArgumentException("no operator " + operator);
    };
  }
}
