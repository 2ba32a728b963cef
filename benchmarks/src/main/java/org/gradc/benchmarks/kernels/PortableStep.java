package org.gradc.benchmarks.kernels;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.CodegenOptions;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.compiler.codegen.ModelCompiler;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.codegen.TrainingGraph;
import org.gradc.compiler.opt.Pipeline;
import org.gradc.runtime.Init;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.VectorWidth;

/**
 * What a portable class (the Maven plugin's {@code vector} back end: scalar kernels plus kernel
 * nestmates for 128-, 256- and 512-bit vectors, one picked when the class loads) costs against a
 * class compiled in this JVM for its width: the 784-256-10 MLP's SGD training step at batch 64,
 * timed in interleaved bursts in one JVM, best burst each. The dispatch is a test of a static final
 * field, which C2 folds, so the ratio should be 1 within noise. The portable class's scalar kernels
 * (what runs without the vector module) are timed too, and the class sizes printed.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.kernels.PortableStep [rounds]</pre>
 */
public final class PortableStep {
  private PortableStep() {}

  static final String PACKAGE = "org.gradc.benchmarks.portable";

  /** Defines a portable class and its nestmates. */
  static final class Loader extends ClassLoader {
    private final Map<String, byte[]> files;

    Loader(GeneratedClass c) {
      super(PortableStep.class.getClassLoader());
      this.files = c.classFiles();
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] b = files.get(name);
      if (b == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, b, 0, b.length);
    }
  }

  static GeneratedClass generate(BackendKind kind, String pkg) throws Exception {
    OptimizerKind opt = OptimizerKind.SGD;
    double[] hyper = new double[opt.hyperParameters().size()];
    for (int i = 0; i < hyper.length; i++) {
      hyper[i] = opt.hyperParameters().get(i).defaultValue();
    }
    TrainingGraph tg =
        new TrainingGraph(
            Pipeline.standard().run(GeneratedKernelBench.mlp()).graph(),
            Map.<String, Init>of(),
            opt,
            hyper);
    return ModelCompiler.generate(
        tg, new CodegenOptions(Precision.F32, pkg, true, "bench.grad", kind));
  }

  static Model portable(GeneratedClass c, String bits) throws Exception {
    if (bits == null) {
      System.clearProperty(VectorWidth.PROPERTY);
    } else {
      System.setProperty(VectorWidth.PROPERTY, bits);
    }
    try {
      return (Model) new Loader(c).loadClass(c.binaryName()).getConstructor().newInstance();
    } finally {
      System.clearProperty(VectorWidth.PROPERTY);
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    GeneratedClass here = generate(BackendKind.VECTOR, HiddenClasses.PACKAGE);
    GeneratedClass port = generate(BackendKind.PORTABLE, PACKAGE);
    Map<String, Model> models = new LinkedHashMap<>();
    models.put("compiled in this JVM (its width)", HiddenClasses.instantiate(here));
    models.put("portable, width chosen at load", portable(port, null));
    models.put("portable, scalar kernels", portable(port, "0"));
    SplittableRandom r = new SplittableRandom(1);
    for (Model m : models.values()) {
      m.initialize(1);
      m.feed("x", MatmulBench.random(r, 64 * 784));
      m.feed("y", MatmulBench.random(r, 64 * 10));
    }
    Map<String, Double> best = new LinkedHashMap<>();
    for (Map.Entry<String, Model> e : models.entrySet()) {
      Model m = e.getValue();
      long until = System.nanoTime() + 4_000_000_000L;
      while (System.nanoTime() < until) {
        m.trainStep();
      }
      best.put(e.getKey(), Double.MAX_VALUE);
    }
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, Model> e : models.entrySet()) {
        Model m = e.getValue();
        int steps = e.getKey().contains("scalar") ? 5 : 50;
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
          m.trainStep();
        }
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        best.merge(e.getKey(), ms, Math::min);
      }
    }
    double ref = best.values().iterator().next();
    System.out.printf(
        Locale.ROOT,
        "MLP 784-256-10 SGD step, batch 64 (preferred %d bits)%n",
        VectorWidth.preferredBits());
    for (Map.Entry<String, Double> e : best.entrySet()) {
      System.out.printf(
          Locale.ROOT, "  %-36s %8.3f ms  %6.3f%n", e.getKey(), e.getValue(), e.getValue() / ref);
    }
    System.out.printf(
        Locale.ROOT, "class files: this JVM's class %d bytes; portable", here.bytes().length);
    for (Map.Entry<String, byte[]> f : port.classFiles().entrySet()) {
      System.out.printf(
          Locale.ROOT, " %s %d", f.getKey().substring(PACKAGE.length() + 1), f.getValue().length);
    }
    System.out.println(
        " (total " + port.classFiles().values().stream().mapToInt(b -> b.length).sum() + ")");
  }
}
