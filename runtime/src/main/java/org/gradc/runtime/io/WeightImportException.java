package org.gradc.runtime.io;

import java.util.List;

/**
 * A refused {@link WeightImport}: every problem found, one line each, each naming the tensor (a
 * missing tensor, a wrong shape or dtype, a tensor the model does not use, a mapping to a name the
 * model lacks). The message is a first line naming the file and the model, then one indented line
 * per problem, so a user sees all of them in one run.
 */
public final class WeightImportException extends CheckpointException {
  private final List<String> problems;

  WeightImportException(String file, String model, List<String> problems) {
    super(message(file, model, problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, one line each, in the order they were found. */
  public List<String> problems() {
    return problems;
  }

  private static String message(String file, String model, List<String> problems) {
    StringBuilder s = new StringBuilder(file);
    s.append(": cannot import weights into model '").append(model).append("' (");
    s.append(problems.size()).append(problems.size() == 1 ? " problem)" : " problems)");
    for (String p : problems) {
      s.append("\n  ").append(p);
    }
    return s.toString();
  }
}
