package org.gradc.compiler;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.ops.AvgPool2d;
import org.gradc.compiler.ir.ops.AvgPool2dGrad;
import org.gradc.compiler.ir.ops.Conv2d;
import org.gradc.compiler.ir.ops.Conv2dInputGrad;
import org.gradc.compiler.ir.ops.Conv2dWeightGrad;
import org.gradc.compiler.ir.ops.MaxPool2d;
import org.gradc.compiler.ir.ops.MaxPool2dGrad;
import org.gradc.compiler.ir.ops.MaxPool2dPick;

/**
 * Ops the IR has (shape rule, VJP, reference evaluation) but the code generator cannot lower yet: a
 * model using one is checked, differentiated and evaluated, but compiling it to a class stops with
 * a located error E0701 at each call instead of failing inside the code generator. Goes away when
 * each op's lowering lives with the op (issue 10 §5, then issue 11's code generation).
 */
final class PendingLowerings {
  private static final Set<Class<? extends Op>> PENDING =
      Set.of(
          Conv2d.class,
          Conv2dInputGrad.class,
          Conv2dWeightGrad.class,
          MaxPool2d.class,
          MaxPool2dGrad.class,
          MaxPool2dPick.class,
          AvgPool2d.class,
          AvgPool2dGrad.class);

  private PendingLowerings() {}

  /**
   * @throws CompileException with one E0701 per source position that uses a pending op
   */
  static void check(Graph g) throws CompileException {
    Set<SourceSpan> seen = new LinkedHashSet<>();
    List<Diagnostic> errors = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (PENDING.contains(n.op().getClass()) && seen.add(n.span())) {
        String op = n.op().name();
        errors.add(
            Diagnostic.error(
                "E0701",
                n.span(),
                "the code generator cannot compile "
                    + op.substring(0, op.indexOf('(') < 0 ? op.length() : op.indexOf('('))
                    + " yet",
                "`gradc check` and `gradc graph` accept this model; convolution and pooling are"
                    + " checked, differentiated and evaluated, but not yet compiled to bytecode"));
      }
    }
    if (!errors.isEmpty()) {
      errors.sort(java.util.Comparator.comparingInt(d -> d.span().start()));
      throw new CompileException(errors);
    }
  }
}
