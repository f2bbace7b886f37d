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

export const completionCommand: Command = {
  name: "completion",
  summary: "Print a shell completion script (bash, zsh or fish) for every command and flag.",
  usage: "k8s-daas completion bash|zsh|fish",
  example: "k8s-daas completion bash > ~/.local/share/bash-completion/completions/k8s-daas",
  actions: Object.keys(SHELLS),
  options: { help: { type: "boolean", short: "h" } },
  optionHelp: { help: "show this help (each script's first lines say how to install it)" },
  run: (args) =>
    runAction(
      completionCommand,
      args,
      Object.fromEntries(
        Object.entries(SHELLS).map(([shell, generate]) => [
          shell,
          async (_args: unknown, rest: string[]) => {
            if (rest.length > 0) throw usageError(`one shell at a time, got: ${rest.join(" ")}`);
            // The table lists this command too: imported when needed rather than in a cycle.
            const { COMMANDS } = await import("../command-table.ts");
            process.stdout.write(generate(completionSpec("k8s-daas", COMMANDS)));
            return EXIT.ok;
          },
        ]),
      ),
    ),
};
