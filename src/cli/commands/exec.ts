import type { Command } from "../command.ts";
import { usageError } from "../errors.ts";
import { checkObjectName } from "../manifests.ts";
import { Session } from "../session.ts";
import { TERMINAL_SESSION_HELP, TERMINAL_SESSION_OPTIONS, terminalIo } from "../terminal-io.ts";

export const execCommand: Command = {
  name: "exec",
  summary: "Run a command in a pod (through nautilus-control, as your namespace's account).",
  usage: "k8s-daas exec POD [-i] [-t] [-c CONTAINER] [-n NAMESPACE] -- COMMAND [ARG...]",
  example: "k8s-daas exec web -it -- sh",
  options: TERMINAL_SESSION_OPTIONS,
  optionHelp: {
    ...TERMINAL_SESSION_HELP,
    stdin: "pass your input to the command",
    tty: "give the command a terminal (with -i: an interactive shell)",
  },
  async run({ values, positionals }) {
    const [pod, ...command] = positionals;
    if (!pod) throw usageError("missing POD", `usage: ${execCommand.usage}`);
    checkObjectName(pod);
    if (command.length === 0)
      throw usageError("missing COMMAND after --", `usage: ${execCommand.usage}`);
    const session = new Session(values);
    const namespace = await session.namespace(values.namespace);
    const { io, restore } = terminalIo({
      interactive: values.stdin === true,
      tty: values.tty === true,
    });
    try {
      return await session.controlApi().exec(
        namespace,
        pod,
        {
          command,
          ...(typeof values.container === "string" ? { container: values.container } : {}),
          stdin: values.stdin === true,
          tty: values.tty === true,
        },
        io,
      );
    } finally {
      restore();
    }
  },
};
