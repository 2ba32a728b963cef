package org.gradc.compiler.codegen;

/**
 * How to generate a model class.
 *
 * @param packageName the class's package ({@code ""} for none)
 * @param fma whether multiply-adds use {@code Math.fma} (one rounding, and FMA instructions when
 *     vectorized) or a multiply and an add (bit-compatible with plain Java arithmetic)
 * @param sourceFile the model file's name, recorded in the class for stack traces; may be null
 * @param backend which back end writes the kernels
 * @param inference an inference-only class: {@link EntryPoint#inference()} alone, no gradients or
 *     optimizer state (the graph is then the evaluation-mode one, without gradients)
 * @param steps whether kernels identical up to their buffers share a method ({@link StepForm})
 */
public record CodegenOptions(
    Precision precision,
    String packageName,
    boolean fma,
    String sourceFile,
    BackendKind backend,
    boolean inference,
    StepForm steps) {

  /** Options with the {@linkplain StepForm#defaultForm() default} step form. */
  public CodegenOptions(
      Precision precision,
      String packageName,
      boolean fma,
      String sourceFile,
      BackendKind backend,
      boolean inference) {
    this(precision, packageName, fma, sourceFile, backend, inference, StepForm.defaultForm());
  }

  /** Options for a training class. */
  public CodegenOptions(
      Precision precision,
      String packageName,
      boolean fma,
      String sourceFile,
      BackendKind backend) {
    this(precision, packageName, fma, sourceFile, backend, false);
  }

  /** Options with the {@link BackendKind#AUTO automatic} back end. */
  public CodegenOptions(Precision precision, String packageName, boolean fma, String sourceFile) {
    this(precision, packageName, fma, sourceFile, BackendKind.AUTO);
  }

  /** The same options with step form {@code form}. */
  public CodegenOptions withSteps(StepForm form) {
    return new CodegenOptions(precision, packageName, fma, sourceFile, backend, inference, form);
  }

  public static CodegenOptions defaults() {
    return new CodegenOptions(Precision.F32, "", true, null, BackendKind.AUTO);
  }
}
