package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One entry point of a generated class, as data: the protected method the runtime's {@code Model}
 * calls, the role values it computes, whether it returns the loss, and what it does with the
 * optimizer. The {@link Scheduler} gives each entry the kernels its roots need, in schedule order.
 *
 * @param method the method's name ({@code runForward}, …); it takes the batch size {@code n}
 * @param roots the role values it leaves in their buffers
 * @param minimal whether its kernels compute only what {@code roots} need (then a fused kernel that
 *     also computes values for other entries, a ReLU mask for the backward pass, gets a pruned
 *     variant, and no role buffer outside {@code roots} is written); otherwise it runs whole fused
 *     kernels, as the training entries do
 * @param sharesTraining for a minimal entry: where a group's whole kernel (the one the training
 *     entries run) writes no role buffer outside {@code roots}, run it rather than a pruned
 *     variant. It stores a few intermediates the entry does not need (a ReLU mask), but the code is
 *     the training step's, which the JIT has compiled by the time validation runs between epochs: a
 *     pruned variant would run cold (interpreted, then C1) through the first epoch's validation
 * @param update {@link Update#FUSED} folds each parameter's optimizer update into the kernel that
 *     writes its gradient; {@link Update#ONLY} runs the optimizer alone, on the gradient buffers;
 *     {@link Update#PARTS} runs it alone on a range of parts of every parameter
 */
public record EntryPoint(
    String method, Set<Role> roots, boolean minimal, boolean sharesTraining, Update update) {

  /**
   * Values an entry point computes. Like the loss, outputs follow the entry's mode (see {@link
   * #evaluation()}): an evaluation entry leaves the evaluation-mode outputs (what inference
   * returns), a training entry the training-mode outputs of its own forward pass (dropout active,
   * batch statistics), which is what a trainer's training accuracy counts without a second forward
   * pass. For a model without mode-dependent ops both are the same values.
   */
  public enum Role {
    OUTPUTS,
    LOSS,
    GRADIENTS,
    /** The new values of the model's states (batch norm's running statistics), written in place. */
    STATE_UPDATES
  }

  /** What an entry point does with the optimizer. */
  public enum Update {
    NONE,
    FUSED,
    ONLY,
    /**
     * The optimizer alone, on parts {@code [from, to)} of every parameter, with {@code n = from *
     * 65536 + to} (the runtime's {@code Model.updateParts}).
     */
    PARTS;

    /** Whether the entry runs the optimizer and nothing else (no forward or backward pass). */
    public boolean alone() {
      return this == ONLY || this == PARTS;
    }
  }

  public EntryPoint {
    roots = roots.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roots));
  }

  /**
   * Whether this entry runs the model in evaluation mode (dropout the identity, batch norm with its
   * running statistics): an entry that neither computes gradients nor updates anything. Modes are
   * compile-time facts: evaluation entries contain no dropout, batch statistics or backward pass.
   */
  public boolean evaluation() {
    return !roots.contains(Role.GRADIENTS)
        && !roots.contains(Role.STATE_UPDATES)
        && update == Update.NONE;
  }

  /** Whether the method returns the loss ({@code double}) rather than nothing. */
  public boolean returnsLoss() {
    return roots.contains(Role.LOSS);
  }

  /** The JVM descriptor of the method. */
  public String descriptor() {
    return returnsLoss() ? "(I)D" : "(I)V";
  }

  /** Inference: the outputs, computing nothing for the backward pass. */
  public static final EntryPoint FORWARD =
      new EntryPoint("runForward", Set.of(Role.OUTPUTS), true, false, Update.NONE);

  /**
   * Validation: outputs and the loss, no backward pass; gradients are left as they are. It shares
   * the training step's kernels where they write nothing else, so it runs compiled code from the
   * first epoch on.
   */
  public static final EntryPoint EVALUATE =
      new EntryPoint("runEvaluate", Set.of(Role.OUTPUTS, Role.LOSS), true, true, Update.NONE);

  /** The outputs (training mode), the loss and every gradient; parameters untouched. */
  public static final EntryPoint GRADIENTS =
      new EntryPoint(
          "runGradients",
          Set.of(Role.OUTPUTS, Role.LOSS, Role.GRADIENTS, Role.STATE_UPDATES),
          false,
          false,
          Update.NONE);

  /**
   * Forward (leaving the training-mode outputs), backward and the optimizer update, fused; the
   * outputs are those of the parameters before the update, like the loss.
   */
  public static final EntryPoint TRAIN_STEP =
      new EntryPoint(
          "runTrainStep",
          Set.of(Role.OUTPUTS, Role.LOSS, Role.GRADIENTS, Role.STATE_UPDATES),
          false,
          false,
          Update.FUSED);

  /** The optimizer alone, applied to the gradient buffers. */
  public static final EntryPoint UPDATE =
      new EntryPoint("runUpdate", Set.of(), false, false, Update.ONLY);

  /**
   * The optimizer alone on a range of parts of every parameter, which data-parallel threads run at
   * once on disjoint ranges.
   */
  public static final EntryPoint UPDATE_PARTS =
      new EntryPoint("runUpdateParts", Set.of(), false, false, Update.PARTS);

  /**
   * The entry points of a model class: {@code runForward}, and for a model with a loss {@code
   * runEvaluate}, {@code runGradients}, {@code runTrainStep}, {@code runUpdate} and {@code
   * runUpdateParts}.
   */
  public static List<EntryPoint> standard(boolean hasLoss) {
    List<EntryPoint> out = new ArrayList<>(List.of(FORWARD));
    if (hasLoss) {
      out.addAll(List.of(EVALUATE, GRADIENTS, TRAIN_STEP, UPDATE, UPDATE_PARTS));
    } else {
      out.add(GRADIENTS);
      out.add(TRAIN_STEP);
    }
    return out;
  }

  /**
   * The entry points of an inference-only class: {@code runForward} and {@code runEvaluate}; no
   * gradients, no optimizer, no training code.
   */
  public static List<EntryPoint> inference() {
    return List.of(FORWARD, EVALUATE);
  }
}
