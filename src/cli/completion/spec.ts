import type { Command } from "../command.ts";

/** One flag as a shell completes it. */
export interface FlagSpec {
  long: string;
  short: string | undefined;
  takesValue: boolean;
  help: string;
}

/** One top-level command as a shell completes it: its actions and flags. */
export interface CommandSpec {
  name: string;
  summary: string;
  actions: readonly string[];
  flags: readonly FlagSpec[];
}

/** What every generator needs, derived once from the command table. */
export interface CompletionSpec {
  program: string;
  commands: readonly CommandSpec[];
}

/** Flags whose value is a file or a folder: the shell offers paths. */
export const PATH_FLAGS: ReadonlySet<string> = new Set([
  "filename",
  "kubeconfig",
  "keystore",
  "data-dir",
  "config",
  "sui-config-dir",
  "enclave-key-file",
  "k3s-binary",
]);

/** The flag whose value is a context name: the shell asks `config get-contexts -o name`. */
export const CONTEXT_FLAG = "context";

/** `config` actions that take a context name: completed like `--context`. */
export const CONTEXT_ACTIONS: readonly string[] = ["use-context", "delete-context", "set-context"];

export function completionSpec(program: string, commands: readonly Command[]): CompletionSpec {
  return {
    program,
    commands: commands.map((command) => ({
      name: command.name,
      summary: command.summary,
      actions: command.actions ?? [],
      flags: Object.entries(command.options).map(([long, option]) => ({
        long,
        short: option.short,
        takesValue: option.type === "string",
        help: command.optionHelp[long] ?? "",
      })),
    })),
  };
}

/** `--name` and `-x` spellings of a command's flags. */
export function flagWords(command: CommandSpec, which: "all" | "valued" = "all"): string[] {
  return command.flags
    .filter((flag) => which === "all" || flag.takesValue)
    .flatMap((flag) => [`--${flag.long}`, ...(flag.short ? [`-${flag.short}`] : [])]);
}

/** The spellings of a command's flags whose value is a path. */
export function pathFlagWords(command: CommandSpec): string[] {
  return flagWords({
    ...command,
    flags: command.flags.filter((flag) => PATH_FLAGS.has(flag.long)),
  });
}
