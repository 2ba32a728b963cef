package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.gradc.runtime.ProfilePriming;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * {@link VectorPriming}: the static initializer of a class with Vector API kernels runs each
 * lanewise operation its kernels call, so that no kernel fills the Vector API's operator caches
 * (and traps C2's compiled lookup) while training. A new operation in the vector back end's
 * vocabulary that the priming leaves out fails here, not as a slower step on some runs.
 */
class VectorPrimingTest {
  /**
   * Vector API calls that look no operator up: memory access, masks, reinterpretation and species
   * constants. Every other call a kernel makes must be primed ({@code lane} and {@code withLane}
   * too: their per-index helpers must be warm when C2 compiles a kernel).
   */
  private static final String VECTOR_PACKAGE = "jdk/incubator/vector/";

  private static final Set<String> NOT_CACHED =
      Set.of(
          "fromArray",
          "intoArray",
          "indexInRange",
          "zero",
          "broadcast",
          "reinterpretAsInts",
          "reinterpretAsLongs",
          "reinterpretAsFloats",
          "reinterpretAsDoubles");

  @Test
  void everyOperatorTheKernelsCallIsPrimed() throws Exception {
    SourceFile mlp =
        new SourceFile(
            "FashionMlp.grad",
            java.nio.file.Files.readString(
                java.nio.file.Path.of(
                    "../examples/src/main/grad/org/gradc/examples/FashionMlp.grad")));
    for (Precision p : Precision.values()) {
      for (SourceFile source : new SourceFile[] {SharedKernelsTest.names(4), mlp}) {
        GeneratedClass c =
            ModelCompiler.generate(
                Gradc.trainingGraph(source, p),
                new CodegenOptions(p, HiddenClasses.PACKAGE, true, source.name()),
                new VectorBackend(16, 8));
        Harness.verify(c.bytes());
        ClassNode cls = node(c.bytes());
        Set<String> used = new TreeSet<>();
        Set<String> primed = new TreeSet<>();
        for (MethodNode m : cls.methods) {
          calls(m, m.name.equals("<clinit>") ? primed : used);
        }
        assertFalse(used.isEmpty(), source.name() + " " + p + " has no vector kernels");
        used.removeAll(primed);
        assertEquals(Set.of(), used, source.name() + " " + p + ": kernels call these unprimed");
        // loading the class runs the priming: it must succeed on this JVM
        Model m = HiddenClasses.instantiate(c);
        assertTrue(m.spec().tensors().size() > 0);
      }
    }
  }

  /**
   * A portable class: each width's nestmate primes what its kernels call; the model class, whose
   * own kernels are scalar and which loads on JVMs without the incubator module, primes nothing.
   */
  @Test
  void portableNestmatesPrimeTheirOwnKernels() throws Exception {
    GeneratedClass c =
        ModelCompiler.generate(
            Gradc.trainingGraph(SharedKernelsTest.names(4), Precision.F32),
            new CodegenOptions(
                Precision.F32, "org.gradc.test.priming", true, "Names.grad", BackendKind.PORTABLE));
    assertEquals(3, c.nestmates().size());
    for (byte[] nestmate : c.nestmates().values()) {
      Harness.verify(nestmate);
      Set<String> used = new TreeSet<>();
      Set<String> primed = new TreeSet<>();
      for (MethodNode m : node(nestmate).methods) {
        calls(m, m.name.equals("<clinit>") ? primed : used);
      }
      assertFalse(used.isEmpty());
      used.removeAll(primed);
      assertEquals(Set.of(), used);
    }
    assertEquals(Set.of(), clinitCalls(c.bytes()));
  }

  /**
   * The priming runs in a loop whose count comes from {@code ProfilePriming.rounds(species)}: many
   * rounds for the first class of a species in a JVM, so that the profiles of the Vector API's
   * operator casts see every operator class before a kernel runs (a single round left the
   * FashionCnn's convolution kernels compiled as the allocating fallback on some runs:
   * docs/performance.md). Every primed call must be inside that loop.
   */
  @Test
  void primingRunsInALoopOfTheRuntimesRounds() throws Exception {
    GeneratedClass c =
        ModelCompiler.generate(
            Gradc.trainingGraph(SharedKernelsTest.names(4), Precision.F32),
            new CodegenOptions(Precision.F32, HiddenClasses.PACKAGE, true, "Names.grad"),
            new VectorBackend(16, 8));
    MethodNode clinit =
        node(c.bytes()).methods.stream()
            .filter(m -> m.name.equals("<clinit>"))
            .findFirst()
            .orElseThrow();
    int roundsCall = -1;
    String key = null;
    int firstVector = Integer.MAX_VALUE;
    int lastVector = -1;
    int loopStart = -1;
    int loopEnd = -1;
    for (int i = 0; i < clinit.instructions.size(); i++) {
      AbstractInsnNode insn = clinit.instructions.get(i);
      if (insn instanceof MethodInsnNode call
          && call.owner.equals(VectorPriming.ROUNDS_OWNER)
          && call.name.equals(VectorPriming.ROUNDS_METHOD)) {
        roundsCall = i;
        key = (String) ((LdcInsnNode) insn.getPrevious()).cst;
      } else if (insn instanceof MethodInsnNode call && call.owner.startsWith(VECTOR_PACKAGE)) {
        firstVector = Math.min(firstVector, i);
        lastVector = i;
      } else if (insn instanceof JumpInsnNode jump
          && clinit.instructions.indexOf(jump.label) < i
          && jump.getOpcode() != Opcodes.GOTO) {
        loopStart = clinit.instructions.indexOf(jump.label);
        loopEnd = i;
      }
    }
    assertEquals("jdk/incubator/vector/FloatVector x16", key);
    assertTrue(roundsCall >= 0 && roundsCall < loopStart, "rounds asked before the loop");
    assertTrue(loopStart < firstVector && lastVector < loopEnd, "every primed call in the loop");
    // the loop really runs: loading the class succeeds (and primes) on this JVM
    assertTrue(HiddenClasses.instantiate(c).spec().tensors().size() > 0);
  }

  /** The runtime's count: many rounds the first time a species is asked for, then one. */
  @Test
  void roundsAreManyOnlyTheFirstTime() {
    String species = "test species " + System.nanoTime();
    assertEquals(ProfilePriming.FIRST_ROUNDS, ProfilePriming.rounds(species));
    assertEquals(1, ProfilePriming.rounds(species));
  }

  /** A class whose own kernels are scalar must not touch the incubator module when loaded. */
  @Test
  void scalarClassesPrimeNothing() throws Exception {
    GeneratedClass c =
        ModelCompiler.generate(
            Gradc.trainingGraph(SharedKernelsTest.names(4), Precision.F32),
            new CodegenOptions(Precision.F32, HiddenClasses.PACKAGE, true, "Names.grad"),
            new ScalarBackend());
    assertEquals(Set.of(), clinitCalls(c.bytes()));
  }

  /** Every use of the incubator module in the static initializer of {@code bytes}' class. */
  private static Set<String> clinitCalls(byte[] bytes) {
    Set<String> out = new TreeSet<>();
    for (MethodNode m : node(bytes).methods) {
      if (m.name.equals("<clinit>")) {
        for (AbstractInsnNode insn : m.instructions) {
          if (insn instanceof MethodInsnNode call && call.owner.startsWith(VECTOR_PACKAGE)) {
            out.add(call.owner + "." + call.name);
          } else if (insn instanceof FieldInsnNode f && f.owner.startsWith(VECTOR_PACKAGE)) {
            out.add(f.owner + "." + f.name);
          }
        }
      }
    }
    return out;
  }

  private static ClassNode node(byte[] bytes) {
    ClassNode cls = new ClassNode();
    new ClassReader(bytes).accept(cls, 0);
    return cls;
  }

  /**
   * Adds to {@code out} the operator-carrying Vector API calls of {@code m} ({@code
   * FloatVector.add(Vector)}) and the operators it names ({@code VectorOperators.LSHL}).
   */
  private static void calls(MethodNode m, Set<String> out) {
    for (AbstractInsnNode insn : m.instructions) {
      if (insn instanceof MethodInsnNode call
          && call.owner.startsWith(VECTOR_PACKAGE)
          && !NOT_CACHED.contains(call.name)) {
        out.add(call.owner + "." + call.name + call.desc);
      } else if (insn instanceof FieldInsnNode f
          && f.getOpcode() == Opcodes.GETSTATIC
          && f.owner.equals("jdk/incubator/vector/VectorOperators")) {
        out.add(f.owner + "." + f.name);
      }
    }
  }
}
