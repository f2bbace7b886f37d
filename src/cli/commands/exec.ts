import type { Command } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { usageError } from "../errors.ts";
import type { ExecIo } from "../exec-session.ts";
import { checkObjectName } from "../manifests.ts";
import { Session } from "../session.ts";

export const execCommand: Command = {
  name: "exec",
  summary: "Run a command in a pod (through nautilus-control, as your namespace's account).",
  usage: "k8s-daas exec POD [-i] [-t] [-c CONTAINER] [-n NAMESPACE] -- COMMAND [ARG...]",
  example: "k8s-daas exec web -it -- sh",
  options: {
    namespace: { type: "string", short: "n" },
    container: { type: "string", short: "c" },
    stdin: { type: "boolean", short: "i" },
    tty: { type: "boolean", short: "t" },
    ...CONNECTION_OPTIONS,
  },
  optionHelp: {
    namespace: "your namespace (default: the context's, else the only one you hold)",
    container: "which container (default: the pod's only one)",
    stdin: "pass your input to the command",
    tty: "give the command a terminal (with -i: an interactive shell)",
    ...CONNECTION_HELP,
  },
  async run({ values, positionals }) {
    const [pod, ...command] = positionals;
    if (!pod) throw usageError("missing POD", `usage: ${execCommand.usage}`);
    checkObjectName(pod);
    if (command.length === 0)
      throw usageError("missing COMMAND after --", `usage: ${execCommand.usage}`);
    const session = new Session(values);
    const namespace = await session.namespace(values.namespace);
    const interactive = values.stdin === true;
    const tty = values.tty === true;
    const rawTerminal = tty && interactive && process.stdin.isTTY;
    const io: ExecIo = {
      stdout: (data) => process.stdout.write(data),
      stderr: (data) => process.stderr.write(data),
      ...(interactive ? { stdin: process.stdin } : {}),
      ...(tty && process.stdout.isTTY
        ? {
            size: () => ({ width: process.stdout.columns, height: process.stdout.rows }),
            onResize: (listener: () => void) => {
              process.stdout.on("resize", listener);
              return () => process.stdout.off("resize", listener);
            },
          }
        : {}),
    };
    if (rawTerminal) process.stdin.setRawMode(true);
    try {
      return await session.controlApi().exec(
        namespace,
        pod,
        {
          command,
          ...(typeof values.container === "string" ? { container: values.container } : {}),
          stdin: interactive,
          tty,
        },
        io,
      );
    } finally {
      if (rawTerminal) process.stdin.setRawMode(false);
      // Reading stdin keeps the process alive after the session.
      if (interactive) process.stdin.destroy();
    }
  },
};
