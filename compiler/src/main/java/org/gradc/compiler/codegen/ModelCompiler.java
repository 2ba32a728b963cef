package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.gradc.compiler.codegen.vector.VectorCalls;
import org.gradc.runtime.ModelSpec;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The code generator's entry point: a {@link TrainingGraph} in, one class file out. Schedules the
 * graph ({@link Scheduler}), lowers every kernel with the back end under the {@link UnrollPolicy},
 * shrinking the policy for any kernel whose method would exceed {@link #METHOD_BUDGET} bytes, and
 * assembles the class ({@link ClassAssembler}).
 */
public final class ModelCompiler {
  /** Kernel methods are kept under this many bytes, safely below HotSpot's 8,000. */
  static final int METHOD_BUDGET = 7600;

  private ModelCompiler() {}

  /**
   * Generates with the back end the options name; {@link BackendKind#AUTO} takes the Vector API one
   * when this JVM has {@code jdk.incubator.vector}, else the scalar one (saying once on stderr how
   * to enable the vector one); see {@link VectorBackend#forThisJvm()}.
   */
  public static GeneratedClass generate(TrainingGraph tg, CodegenOptions options) {
    return generate(tg, options, options.backend().create());
  }

  static GeneratedClass generate(TrainingGraph tg, CodegenOptions options, Backend backend) {
    if (tg.graph().precision() != options.precision().ir()) {
      throw new IllegalArgumentException(
          "graph is " + tg.graph().precision() + " but " + options.precision() + " was asked for");
    }
    if (options.inference() && !tg.graph().gradients().isEmpty()) {
      throw new IllegalArgumentException(
          "an inference-only class compiles a graph without gradients");
    }
    ModelSpec spec = SpecBuilder.build(tg, options.precision(), !options.inference());
    List<EntryPoint> entries =
        options.inference()
            ? EntryPoint.inference()
            : EntryPoint.standard(tg.graph().loss() != null);
    Schedule schedule =
        Scheduler.schedule(tg, options.precision(), spec, entries, !options.inference());
    String name = tg.graph().modelName();
    String pkg = options.packageName() == null ? "" : options.packageName();
    String internal = pkg.isEmpty() ? name : pkg.replace('.', '/') + "/" + name;
    List<ClassPlan.Field> fields = schedule.fields();
    Map<String, String> descriptors = new LinkedHashMap<>();
    for (ClassPlan.Field f : fields) {
      descriptors.put(f.name(), f.descriptor());
    }
    KernelCode.EmitContext context =
        new KernelCode.EmitContext(internal, options.precision(), options.fma(), descriptors);
    if (options.backend() == BackendKind.PORTABLE && pkg.equals(HiddenClasses.PACKAGE)) {
      throw new IllegalArgumentException(
          "a portable class has nestmates, which a hidden class cannot have");
    }
    // The widths are lowered from the same schedule and share nothing mutable, so a portable
    // class's three vector variants are generated on other cores while this thread lowers the
    // scalar kernels (gradc compile of a long unrolled model spends most of its time here).
    List<CompletableFuture<Optional<ClassPlan.Variant>>> pending = new ArrayList<>();
    boolean share = options.steps() == StepForm.SHARED;
    if (options.backend() == BackendKind.PORTABLE) {
      for (int bits : BackendKind.PORTABLE_BITS) {
        pending.add(
            CompletableFuture.supplyAsync(() -> variant(schedule, internal, bits, context, share)));
      }
    }
    List<ClassPlan.KernelMethod> methods = new ArrayList<>();
    Map<String, String> rendered = new LinkedHashMap<>();
    for (Schedule.Method m : schedule.methods()) {
      for (ClassPlan.KernelMethod k : fit(m, backend, context)) {
        methods.add(k);
        rendered.put(k.name(), k.code().render(options.precision(), 0));
      }
    }
    SharedKernels shared = share ? SharedKernels.find(methods, context) : SharedKernels.NONE;
    for (ClassPlan.KernelMethod k : methods) {
      SharedKernels.Call call = shared.call(k.name());
      if (call != null) {
        // gradc dump shows the kernel where its method would be, saying which method runs it
        rendered.put(k.name(), "// runs as " + call.render() + "\n" + rendered.get(k.name()));
      }
    }
    List<ClassPlan.Variant> variants = new ArrayList<>();
    for (CompletableFuture<Optional<ClassPlan.Variant>> p : pending) {
      joined(p).ifPresent(variants::add);
    }
    ClassPlan plan =
        new ClassPlan(
            internal,
            options.sourceFile(),
            spec,
            options.precision(),
            options.fma(),
            fields,
            shared.own(methods),
            schedule.entries(),
            schedule.lossField(),
            schedule.constants(),
            variants,
            shared,
            vocabulary(methods, options.precision()));
    List<CompletableFuture<byte[]>> assembling = new ArrayList<>();
    for (ClassPlan.Variant v : variants) {
      assembling.add(CompletableFuture.supplyAsync(() -> ClassAssembler.assembleVariant(plan, v)));
    }
    byte[] bytes = ClassAssembler.assemble(plan);
    Map<String, byte[]> nestmates = new LinkedHashMap<>();
    for (int i = 0; i < variants.size(); i++) {
      nestmates.put(variants.get(i).internalName().replace('/', '.'), joined(assembling.get(i)));
    }
    return new GeneratedClass(internal.replace('/', '.'), bytes, rendered, nestmates);
  }

  /** The Vector API vocabulary of the first of {@code methods} that has one, or null. */
  private static VectorCalls vocabulary(List<ClassPlan.KernelMethod> methods, Precision p) {
    for (ClassPlan.KernelMethod k : methods) {
      if (k.code() instanceof VectorCode v) {
        return v.calls(p);
      }
    }
    return null;
  }

  /** The future's value, or the exception that failed it, unwrapped. */
  private static <T> T joined(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** The nestmate name of the kernels for {@code bits}-bit vectors: {@code Mlp$Kernels256}. */
  static String variantName(String internal, int bits) {
    return internal + "$Kernels" + bits;
  }

  /**
   * The kernels lowered for {@code bits}-bit vectors (blocked for the register file this
   * architecture has at that width), or empty when none of them would use a vector (a model of tiny
   * layers, all scalar at every width): the class's own scalar kernels then serve.
   */
  private static Optional<ClassPlan.Variant> variant(
      Schedule schedule, String internal, int bits, KernelCode.EmitContext context, boolean share) {
    Backend backend = new VectorBackend(bits / 32, bits / 64);
    KernelCode.EmitContext nested = context.in(variantName(internal, bits));
    List<ClassPlan.KernelMethod> methods = new ArrayList<>();
    boolean anyVector = false;
    for (Schedule.Method m : schedule.methods()) {
      for (ClassPlan.KernelMethod k : fit(m, backend, nested)) {
        anyVector |= k.code() instanceof VectorCode;
        methods.add(k);
      }
    }
    if (!anyVector) {
      return Optional.empty();
    }
    SharedKernels shared = share ? SharedKernels.find(methods, nested) : SharedKernels.NONE;
    return Optional.of(
        new ClassPlan.Variant(bits, variantName(internal, bits), shared.own(methods), shared));
  }

  /**
   * The kernel lowered under the most generous policy whose method fits the budget. A {@link
   * Kernel.Sequence} that fits under no policy (a {@code stack} of a long unrolled loop's steps:
   * one copy per step) becomes a method calling one method per half, each fitted the same way, so
   * the result is {@code m}'s method first and the methods it calls after it.
   */
  private static List<ClassPlan.KernelMethod> fit(
      Schedule.Method m, Backend backend, KernelCode.EmitContext context) {
    UnrollPolicy policy = UnrollPolicy.DEFAULT;
    while (true) {
      KernelCode code = backend.lower(m.kernel(), policy);
      int size = size(code, context);
      if (size <= METHOD_BUDGET) {
        return List.of(new ClassPlan.KernelMethod(m.name(), code));
      }
      policy = policy.smaller();
      if (policy == null) {
        List<Kernel> parts = parts(m.kernel());
        if (parts.size() > 1) {
          return split(m.name(), new Kernel.Sequence(parts, m.kernel().note()), backend, context);
        }
        throw new IllegalStateException(
            "kernel "
                + m.name()
                + " needs "
                + size
                + " bytes of bytecode even without unrolling: "
                + m.kernel().note());
      }
    }
  }

  /** The kernels {@code k} runs in order, nested sequences flattened. */
  private static List<Kernel> parts(Kernel k) {
    if (!(k instanceof Kernel.Sequence seq)) {
      return List.of(k);
    }
    List<Kernel> out = new ArrayList<>();
    for (Kernel part : seq.parts()) {
      out.addAll(parts(part));
    }
    return out;
  }

  private static List<ClassPlan.KernelMethod> split(
      String name, Kernel.Sequence seq, Backend backend, KernelCode.EmitContext context) {
    int half = seq.parts().size() / 2;
    List<ClassPlan.KernelMethod> out = new ArrayList<>();
    List<String> calls = new ArrayList<>();
    List<List<Kernel>> halves =
        List.of(seq.parts().subList(0, half), seq.parts().subList(half, seq.parts().size()));
    for (int i = 0; i < halves.size(); i++) {
      String part = name + "_" + (char) ('a' + i);
      calls.add(part);
      out.addAll(
          fit(
              new Schedule.Method(part, new Kernel.Sequence(halves.get(i), seq.note())),
              backend,
              context));
    }
    out.add(0, new ClassPlan.KernelMethod(name, new CallsCode(calls)));
    return out;
  }

  /**
   * The bytecode size of a kernel method, measured by writing it alone: the largest of the method
   * and the methods it writes beside itself (a matmul's row blocks).
   */
  static int size(KernelCode code, KernelCode.EmitContext context) {
    // the code's length is known before frames are computed, and computing them is the costly
    // part of writing a method: the class itself computes them once
    ClassWriter cw = new ClassWriter(0);
    cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, context.owner(), null, "java/lang/Object", null);
    MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PRIVATE, "k", "(I)V", null, null);
    mv.visitCode();
    code.emit(mv, context.writing("k", cw));
    mv.visitMaxs(0, 0);
    mv.visitEnd();
    cw.visitEnd();
    int size = 0;
    for (int s : MethodSizes.of(cw.toByteArray()).values()) {
      size = Math.max(size, s);
    }
    return size;
  }
}
