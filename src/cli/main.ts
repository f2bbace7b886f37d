import { type Command, commandHelp, parseCommandArgs } from "./command.ts";
import { COMMANDS } from "./command-table.ts";
import { versionCommand } from "./commands/version.ts";
import { CliError, EXIT } from "./errors.ts";
import { toCliError } from "./failures.ts";

const NAME_WIDTH = Math.max(...COMMANDS.map((command) => command.name.length));

function mainHelp(): string {
  return [
    "k8s-daas: Kubernetes as a service, governed by the Sui blockchain.",
    "",
    "Usage: k8s-daas <command> [options]       k8s-daas --version",
    "",
    "Commands:",
    // Names padded to the longest one, so at least two spaces always separate the columns.
    ...COMMANDS.map((command) => `  ${command.name.padEnd(NAME_WIDTH)}  ${command.summary}`),
    "",
    "Run 'k8s-daas <command> --help' for a command's options and an example.",
    "",
    "Exit codes: 0 success; 1 the command failed (a failed result, a Move abort, a refusal);",
    "2 the command line or its input is wrong (nothing was sent); 3 the chain or the control",
    "plane cannot be reached; 130 interrupted.",
  ].join("\n");
}

/** Runs one command line; returns the exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${mainHelp()}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  // `k8s-daas --version` is `k8s-daas version`.
  const wanted = name === "--version" ? versionCommand.name : name;
  const command = COMMANDS.find((candidate) => candidate.name === wanted);
  try {
    if (!command) {
      throw new CliError("UNKNOWN_COMMAND", `unknown command "${name}"`, {
        hint: "run 'k8s-daas --help' for the list of commands",
        exitCode: EXIT.usage,
      });
    }
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      process.stdout.write(`${commandHelp(command)}\n`);
      return EXIT.ok;
    }
    return await command.run(args);
  } catch (error) {
    return report(withHelpHint(toCliError(error), command));
  }
}

/** Every usage error gets a hint: the command's own help if nothing more specific. */
function withHelpHint(error: unknown, command: Command | undefined): unknown {
  if (!(error instanceof CliError) || error.hint || error.exitCode !== EXIT.usage || !command) {
    return error;
  }
  return new CliError(error.code, error.message, {
    hint: `see: k8s-daas ${command.name} --help`,
    exitCode: error.exitCode,
    cause: error,
  });
}

function report(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`error[${error.code}]: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `error[INTERNAL]: ${message}\n  hint: this is a bug; please report it with the command line\n`,
  );
  return EXIT.failure;
}
