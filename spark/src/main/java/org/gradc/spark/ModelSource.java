package org.gradc.spark;

import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import org.gradc.runtime.Model;

/**
 * Where a model class comes from, in a form that travels to Spark executors: either a class
 * compiled ahead of time by {@code gradc-maven-plugin} (it is in the application jar, so only its
 * name travels), or the {@code .grad} source and compiler options, compiled once per JVM (the
 * compiler's output is byte-identical for the same input, so every executor runs the same code).
 * The second form needs {@code gradc-compiler} on the driver's and the executors' class path.
 */
public sealed interface ModelSource extends Serializable {

  /** A new instance, parameters initialized with seed 0 (as the generated constructor does). */
  Model newModel();

  /** A class compiled ahead of time; it needs a public no-argument constructor. */
  static ModelSource of(Class<? extends Model> modelClass) {
    return new AheadOfTime(modelClass.getName());
  }

  /** Model source text, compiled with the compiler's default options (f32, auto back end, fma). */
  static ModelSource fromSource(String source) {
    return new FromSource(source, "F32", "AUTO", true);
  }

  /** An ahead-of-time class, by binary name, loaded through the thread's context class loader. */
  record AheadOfTime(String className) implements ModelSource {
    @Override
    public Model newModel() {
      try {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> c = Class.forName(className, true, loader);
        return (Model) c.getDeclaredConstructor().newInstance();
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            "model class "
                + className
                + " is not on the class path (is it in the application jar?)",
            e);
      } catch (ReflectiveOperationException | ClassCastException e) {
        Throwable cause = e instanceof InvocationTargetException i ? i.getCause() : e;
        throw new IllegalStateException(
            "cannot instantiate model class " + className + ": " + cause, cause);
      }
    }
  }

  /**
   * Source text and compiler options ({@code precision}: {@code F32} or {@code F64}; {@code
   * backend}: {@code AUTO}, {@code SCALAR} or {@code VECTOR}; {@code fma}), compiled on first use
   * in each JVM.
   */
  record FromSource(String source, String precision, String backend, boolean fma)
      implements ModelSource {
    @Override
    public Model newModel() {
      try {
        return SourceModels.prototype(this).copy();
      } catch (NoClassDefFoundError e) {
        throw new IllegalStateException(
            "a model given as source needs gradc-compiler on the class path of the driver and of"
                + " every executor (add it to the application jar or --jars)",
            e);
      }
    }
  }
}
