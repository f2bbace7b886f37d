import { type Command, runAction } from "../command.ts";
import {
  bashCompletion,
  type CompletionSpec,
  completionSpec,
  fishCompletion,
  zshCompletion,
} from "../completion/index.ts";
import { EXIT, usageError } from "../errors.ts";

const SHELLS: Record<string, (spec: CompletionSpec) => string> = {
  bash: bashCompletion,
  zsh: zshCompletion,
  fish: fishCompletion,
};

/**
 * The `completion` command for a command table that includes it: the table passes itself
 * in (`commands` is read when the command runs), so neither file imports the other.
 */
export function completionCommandFor(commands: () => readonly Command[]): Command {
  const command: Command = {
    name: "completion",
    summary: "Print a shell completion script (bash, zsh or fish) for every command and flag.",
    usage: "k8s-daas completion bash|zsh|fish",
    example: "k8s-daas completion bash > ~/.local/share/bash-completion/completions/k8s-daas",
    actions: Object.keys(SHELLS),
    options: { help: { type: "boolean", short: "h" } },
    optionHelp: { help: "show this help (each script's first lines say how to install it)" },
    run: (args) =>
      runAction(
        command,
        args,
        Object.fromEntries(
          Object.entries(SHELLS).map(([shell, generate]) => [
            shell,
            async (_args: unknown, rest: string[]) => {
              if (rest.length > 0) throw usageError(`one shell at a time, got: ${rest.join(" ")}`);
              process.stdout.write(generate(completionSpec("k8s-daas", commands())));
              return EXIT.ok;
            },
          ]),
        ),
      ),
  };
  return command;
}
