import { type ParseArgsConfig, parseArgs } from "node:util";
import { usageError } from "./errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** One `k8s-daas` subcommand: its flags, its help text and what it does. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  example: string;
  /**
   * The actions it takes as its first word (`namespace claim`), for shell completion; the
   * same names as its `runAction` table (test/cli/completion.test.ts holds them equal).
   */
  actions?: readonly string[];
  options: Options;
  /** Human descriptions of each option, shown by `--help`. */
  optionHelp: Record<string, string>;
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    throw usageError(
      error instanceof Error ? error.message : String(error),
      `see: k8s-daas ${command.name} --help`,
    );
  }
}

export function commandHelp(command: Command): string {
  const lines = [`${command.summary}`, "", `Usage: ${command.usage}`, ""];
  const entries = Object.entries(command.options);
  if (entries.length > 0) {
    lines.push("Options:");
    for (const [name, option] of entries) {
      const short = option.short ? `-${option.short}, ` : "    ";
      const flag = `${short}--${name}${option.type === "string" ? " <value>" : ""}`;
      lines.push(`  ${flag.padEnd(26)} ${command.optionHelp[name] ?? ""}`);
    }
    lines.push("");
  }
  lines.push("Example:", `  ${command.example}`);
  return lines.join("\n");
}

/** Parses a flag as a whole number in [min, max], with a usage error naming the flag. */
export function integerFlag(
  values: ParsedArgs["values"],
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (
    typeof raw !== "string" ||
    !Number.isInteger(value) ||
    value < range.min ||
    value > range.max
  ) {
    throw usageError(
      `--${name} must be a whole number from ${range.min} to ${range.max}, got "${raw}"`,
    );
  }
  return value;
}

/** Runs the action named by the first positional (`namespace claim`, `keys list`, …). */
export async function runAction(
  command: Command,
  args: ParsedArgs,
  actions: Record<string, (args: ParsedArgs, rest: string[]) => Promise<number>>,
): Promise<number> {
  const [action, ...rest] = args.positionals;
  const run = action === undefined ? undefined : actions[action];
  if (!run) {
    throw usageError(
      action === undefined
        ? `${command.name} needs an action: ${Object.keys(actions).join(", ")}`
        : `unknown action "${command.name} ${action}"; use ${Object.keys(actions).join(", ")}`,
      `see: k8s-daas ${command.name} --help`,
    );
  }
  return run(args, rest);
}

/** The single positional argument an action takes, or a usage error naming it. */
export function onePositional(command: Command, rest: string[], what: string): string {
  if (rest.length !== 1 || !rest[0]) {
    throw usageError(
      rest.length === 0 ? `missing ${what}` : `expected one ${what}, got ${rest.length} arguments`,
      `usage: ${command.usage}`,
    );
  }
  return rest[0];
}

/** A string flag's value, if given once. */
export function stringFlag(values: ParsedArgs["values"], name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}
