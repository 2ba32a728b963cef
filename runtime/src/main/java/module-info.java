/**
 * The gradc runtime: what generated model classes extend ({@link org.gradc.runtime.Model}) and what
 * applications call — datasets, the trainer, checkpoints and weight import. It depends on {@code
 * java.base} alone; the Vector API is needed only by classes generated with the vector back end,
 * which then live in a module that requires {@code jdk.incubator.vector} itself.
 *
 * <p>Generated classes are ordinary public subclasses of {@code Model} in the application's own
 * package (or hidden classes defined by the compiler), so nothing here needs to be opened: they
 * call only exported public API ({@code Model}'s protected hooks and {@code ModelSpec.parse}).
 */
module org.gradc.runtime {
  exports org.gradc.runtime;
  exports org.gradc.runtime.data;
  exports org.gradc.runtime.io;
  exports org.gradc.runtime.train;
}
