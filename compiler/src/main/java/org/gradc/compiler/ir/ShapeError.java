package org.gradc.compiler.ir;

import java.util.List;

/**
 * An op's shape or type rule rejected its inputs. The front end turns it into a located diagnostic
 * with the given code, so the message should read well after {@code error[CODE]: } and name the
 * shapes involved; hints say how to fix it.
 */
public final class ShapeError extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final transient List<String> hints;

  public ShapeError(String code, String message, String... hints) {
    super(message);
    this.code = code;
    this.hints = List.of(hints);
  }

  public String code() {
    return code;
  }

  public List<String> hints() {
    return hints;
  }
}
