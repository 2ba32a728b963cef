package org.gradc.compiler.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gradc} command. Each subcommand is one class in this package, registered in the {@code
 * subcommands} list below. Exit status: 0 on success, 1 on a user error (bad model, bad data) with
 * a one-line message, 2 on bad usage.
 */
@Command(
    name = "gradc",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Compiles .grad models to JVM bytecode, and trains and inspects them.",
    subcommands = {
      CommandLine.HelpCommand.class,
      CheckCommand.class,
      GraphCommand.class,
      CompileCommand.class,
      DumpCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      PredictCommand.class,
      SampleCommand.class,
      GradcheckCommand.class
    })
public final class GradcCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line, with the exit codes above. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new GradcCommand());
    cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? 2 : 1);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
