package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.opt.Pipeline;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;

/**
 * Random small graphs (chains and diamonds of elementwise ops, matmuls, reductions, broadcasts,
 * transposes and reshapes over batched data and parameters), differentiated and optimized: the
 * generated class agrees with the evaluator on outputs, loss and every gradient. This is what
 * exercises fusion decisions, shared values and buffer reuse in combinations no hand-written test
 * covers.
 */
class RandomGraphProperties {

  @Provide
  Arbitrary<Precision> precisions() {
    return Arbitraries.of(Precision.class);
  }

  @Property(tries = 40)
  void randomGraphMatchesEvaluator(@ForAll long seed, @ForAll("precisions") Precision p)
      throws Exception {
    Random r = new Random(seed);
    Graph.Builder b = Graph.builder().modelName("Random").precision(p.ir());
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    int width = 1 + r.nextInt(6);
    List<Node> pool = new ArrayList<>();
    pool.add(e.input("x", new TensorType(p.ir(), Shape.batched(width))));
    int params = 0;
    int steps = 3 + r.nextInt(8);
    for (int s = 0; s < steps; s++) {
      Node a = pool.get(r.nextInt(pool.size()));
      int w = a.shape().dim(a.shape().rank() - 1);
      Node made;
      switch (r.nextInt(9)) {
        case 0 -> {
          int out = 1 + r.nextInt(7);
          Node wt = e.param("P" + params++, new TensorType(p.ir(), Shape.of(w, out)));
          made = e.matmul(a, wt);
        }
        case 1 -> {
          Node bias = e.param("P" + params++, new TensorType(p.ir(), Shape.of(w)));
          made = e.add(a, bias);
        }
        case 2 -> {
          Node scale = e.param("P" + params++, new TensorType(p.ir(), Shape.of(1, w)));
          made = e.mul(a, scale);
        }
        case 3 -> made = e.tanh(a);
        case 4 -> made = e.max(a, e.scalar(0));
        case 5 -> {
          Node other = pool.get(r.nextInt(pool.size()));
          made = other.shape().equals(a.shape()) ? e.sub(a, e.mul(other, other)) : e.exp(e.neg(a));
        }
        case 6 -> made = e.sub(a, e.amax(a, true, a.shape().rank() - 1));
        case 7 ->
            made = e.div(a, e.add(e.sum(e.mul(a, a), true, a.shape().rank() - 1), e.scalar(1)));
        default -> {
          Node wt = e.param("P" + params++, new TensorType(p.ir(), Shape.of(w, w)));
          made = e.sigmoid(e.matmul(a, e.transpose(wt, 1, 0)));
        }
      }
      pool.add(made);
    }
    Node last = pool.get(pool.size() - 1);
    if (params == 0) {
      int[] dims = last.shape().dims();
      Shape row =
          Shape.of(
              java.util.Arrays.copyOfRange(dims, last.shape().isBatched() ? 1 : 0, dims.length));
      Node bias = e.param("P" + params++, new TensorType(p.ir(), row));
      last = e.mul(last, bias);
    }
    b.output("out", last);
    Node other = pool.get(1 + r.nextInt(pool.size() - 1));
    b.output("mid", other);
    Node weights = e.input("r", last.type());
    Node loss = e.sum(e.mul(last, weights), false);
    if (r.nextBoolean()) {
      loss = e.add(loss, e.mean(e.mul(other, other), false));
    }
    b.loss(loss);
    Graph g = Pipeline.standard().run(Autodiff.differentiate(b.build())).graph();
    Model m =
        HiddenClasses.instantiate(Harness.generate(Harness.training(g, OptimizerKind.SGD), p));
    Harness.compareWithEvaluator(m, g, 1 + r.nextInt(9), r.nextLong(), p);
    Harness.compareWithEvaluator(m, g, 1 + r.nextInt(9), r.nextLong(), p);
  }
}
