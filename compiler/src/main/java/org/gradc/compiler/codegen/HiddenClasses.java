package org.gradc.compiler.codegen;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.gradc.runtime.Model;

/**
 * Loads generated classes in memory as hidden classes ({@link
 * MethodHandles.Lookup#defineHiddenClass}): no class loader to manage, unloaded with their last
 * instance, and HotSpot trusts their final fields as constants. A hidden class must live in the
 * package of the lookup that defines it, so in-memory models are generated into {@link #PACKAGE}.
 */
public final class HiddenClasses {
  /** The package in-memory model classes are generated in. */
  public static final String PACKAGE = HiddenClasses.class.getPackageName();

  private HiddenClasses() {}

  /** Defines {@code generated} as a hidden class and returns a new instance of it. */
  public static Model instantiate(GeneratedClass generated) {
    try {
      MethodHandles.Lookup lookup =
          MethodHandles.lookup().defineHiddenClass(generated.bytes(), true);
      MethodHandle constructor =
          lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class));
      return (Model) constructor.invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot load generated class " + generated.binaryName(), e);
    }
  }
}
