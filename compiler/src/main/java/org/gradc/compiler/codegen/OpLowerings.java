package org.gradc.compiler.codegen;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradc.compiler.ir.Elementwise;
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.ops.AvgPool2d;
import org.gradc.compiler.ir.ops.AvgPool2dGrad;
import org.gradc.compiler.ir.ops.BatchSize;
import org.gradc.compiler.ir.ops.Concat;
import org.gradc.compiler.ir.ops.Constant;
import org.gradc.compiler.ir.ops.Conv2d;
import org.gradc.compiler.ir.ops.Conv2dInputGrad;
import org.gradc.compiler.ir.ops.Conv2dWeightGrad;
import org.gradc.compiler.ir.ops.DropoutMask;
import org.gradc.compiler.ir.ops.Embedding;
import org.gradc.compiler.ir.ops.Gather;
import org.gradc.compiler.ir.ops.Input;
import org.gradc.compiler.ir.ops.MatMul;
import org.gradc.compiler.ir.ops.MaxPool2d;
import org.gradc.compiler.ir.ops.MaxPool2dGrad;
import org.gradc.compiler.ir.ops.MaxPool2dPick;
import org.gradc.compiler.ir.ops.Mean;
import org.gradc.compiler.ir.ops.OneHot;
import org.gradc.compiler.ir.ops.Param;
import org.gradc.compiler.ir.ops.ReduceMax;
import org.gradc.compiler.ir.ops.Reshape;
import org.gradc.compiler.ir.ops.ScatterAdd;
import org.gradc.compiler.ir.ops.Slice;
import org.gradc.compiler.ir.ops.State;
import org.gradc.compiler.ir.ops.Sum;
import org.gradc.compiler.ir.ops.Transpose;

/**
 * The code-generation rule of every op class, one registration line each, as {@link
 * org.gradc.compiler.ir.Primitives} registers the language's primitives. An op implementing {@link
 * Elementwise} needs no line: its scalar formula is its rule ({@link ElementwiseLowering}). {@code
 * OpLoweringCoverageTest} fails for an op class in {@code ir.ops} that has no rule, and the
 * scheduler reports a node of such an op as a located compile error (E0701). A rule is looked up by
 * its node's op class, so it may read that class's attributes from {@code n.op()}.
 */
final class OpLowerings {
  private static final Map<Class<? extends Op>, OpLowering> BY_OP = new LinkedHashMap<>();

  static {
    register(Input.class, new OpLowering.Leaf());
    register(Param.class, new OpLowering.Leaf());
    register(Constant.class, new OpLowering.Leaf());
    register(State.class, new OpLowering.Leaf());
    register(DropoutMask.class, ViewLowerings.DROPOUT_MASK);
    register(BatchSize.class, ViewLowerings.BATCH_SIZE);
    register(OneHot.class, ViewLowerings.ONE_HOT);
    register(Gather.class, ViewLowerings.GATHER);
    register(Transpose.class, ViewLowerings.TRANSPOSE);
    register(Slice.class, ViewLowerings.SLICE);
    register(Reshape.class, ViewLowerings.RESHAPE);
    register(MatMul.class, new MatMulLowering());
    register(Sum.class, ReductionLowering.SUM);
    register(Mean.class, ReductionLowering.MEAN);
    register(ReduceMax.class, ReductionLowering.MAX);
    register(Concat.class, new ConcatLowering());
    register(Conv2d.class, ConvLowering.FORWARD);
    register(Conv2dInputGrad.class, ConvLowering.INPUT_GRAD);
    register(Conv2dWeightGrad.class, ConvLowering.WEIGHT_GRAD);
    register(MaxPool2d.class, PoolLowering.MAX);
    register(MaxPool2dGrad.class, PoolLowering.MAX_GRAD);
    register(MaxPool2dPick.class, PoolLowering.MAX_PICK);
    register(AvgPool2d.class, PoolLowering.AVG);
    register(AvgPool2dGrad.class, PoolLowering.AVG_GRAD);
    register(Embedding.class, ViewLowerings.EMBEDDING);
    register(ScatterAdd.class, new ScatterAddLowering());
  }

  private OpLowerings() {}

  private static void register(Class<? extends Op> op, OpLowering rule) {
    if (BY_OP.putIfAbsent(op, rule) != null) {
      throw new IllegalStateException("code-generation rule registered twice: " + op.getName());
    }
  }

  /** The rule for {@code op}, or {@code null} when the code generator has none. */
  static OpLowering of(Op op) {
    OpLowering rule = BY_OP.get(op.getClass());
    if (rule == null && op instanceof Elementwise) {
      return ElementwiseLowering.INSTANCE;
    }
    return rule;
  }

  /** The registered rules by op class (elementwise ops not listed). */
  static Map<Class<? extends Op>, OpLowering> registered() {
    return Collections.unmodifiableMap(BY_OP);
  }
}
