package org.gradc.compiler.syntax;

/**
 * The stable codes of the front end's diagnostics, one per kind of mistake. Each is explained with
 * an example and its fix in docs/errors.md; a code is never reused for another meaning. Shape and
 * type errors raised by the ops' shape rules carry the codes the ops give them.
 */
final class Codes {
  private Codes() {}

  // Lexical and syntax errors.
  static final String BAD_CHARACTER = "E0001";
  static final String UNEXPECTED_EOF = "E0002";
  static final String SYNTAX = "E0003";
  static final String UNTERMINATED_COMMENT = "E0004";
  static final String INT_TOO_LARGE = "E0005";
  static final String FLOAT_OUT_OF_RANGE = "E0006";
  static final String TOO_DEEP = "E0007";

  // Names.
  static final String UNKNOWN_NAME = "E0101";
  static final String UNKNOWN_FUNCTION = "E0102";
  static final String DUPLICATE = "E0103";
  static final String RECURSIVE_DEF = "E0104";
  static final String FUNCTION_AS_VALUE = "E0105";
  static final String NOT_A_FUNCTION = "E0106";
  static final String USED_BEFORE_DEFINED = "E0107";
  static final String BATCH_AS_VALUE = "E0108";
  static final String RESERVED_NAME = "E0109";

  // Declarations.
  static final String MISSING_LOSS = "E0201";
  static final String SECOND_LOSS = "E0202";
  static final String UNKNOWN_INITIALIZER = "E0203";
  static final String INITIALIZER_ARGS = "E0204";
  static final String UNKNOWN_OPTIMIZER = "E0205";
  static final String HYPER_PARAMETER = "E0206";
  static final String SECOND_OPTIMIZER = "E0207";
  static final String BATCH_NOT_LEADING = "E0208";
  static final String BAD_DIMENSION = "E0209";
  static final String BATCHED_PARAM = "E0210";
  static final String BAD_CONST = "E0211";
  static final String BAD_MODEL_NAME = "E0212";

  // Calls (E03xx are the ops' shape and type errors, see ir.ops).
  static final String TOO_MANY_ARGS = "E0501";
  static final String MISSING_ARG = "E0502";
  static final String UNKNOWN_ARG = "E0503";
  static final String DUPLICATE_ARG = "E0504";
  static final String ARG_KIND = "E0505";
  static final String POSITIONAL_AFTER_NAMED = "E0506";

  // Types (E04xx are autodiff's errors).
  static final String LOSS_NOT_SCALAR = "E0601";
  static final String INT_WHERE_FLOAT = "E0602";
  static final String STATIC_WHERE_TENSOR = "E0603";

  // Loops, families of values and indexing.
  static final String DECLARATION_IN_LOOP = "E0801";
  static final String NOT_STATIC_INTEGER = "E0802";
  static final String MEMBER_UNDEFINED = "E0803";
  static final String MEMBER_REDEFINED = "E0804";
  static final String FAMILY_MISUSED = "E0805";
  static final String BAD_INDEX = "E0806";
  static final String LOOP_TOO_LONG = "E0807";

  // Warnings.
  static final String UNUSED_PARAM = "W0001";
  static final String UNUSED_INPUT = "W0002";
}
