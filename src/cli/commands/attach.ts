import { type Command, onePositional } from "../command.ts";
import { EXIT } from "../errors.ts";
import { DETACHED } from "../exec-session.ts";
import { checkObjectName } from "../manifests.ts";
import { Session } from "../session.ts";
import { TERMINAL_SESSION_HELP, TERMINAL_SESSION_OPTIONS, terminalIo } from "../terminal-io.ts";

export const attachCommand: Command = {
  name: "attach",
  summary: "Attach to a running container's output (and input), through nautilus-control.",
  usage: "k8s-daas attach POD [-c CONTAINER] [-i] [-t] [-n NAMESPACE]",
  example: "k8s-daas attach web -it",
  options: TERMINAL_SESSION_OPTIONS,
  optionHelp: {
    ...TERMINAL_SESSION_HELP,
    stdin: "pass your input to the container (it must keep stdin open: `stdin: true`)",
    tty: "the container's terminal (it must have one: `tty: true`)",
  },
  async run({ values, positionals }) {
    const pod = onePositional(attachCommand, positionals, "pod name");
    checkObjectName(pod);
    const session = new Session(values);
    const namespace = await session.namespace(values.namespace);
    const interactive = values.stdin === true;
    const tty = values.tty === true;
    // Ctrl-C detaches (in a raw terminal it goes to the container instead, as with kubectl).
    const detach = new AbortController();
    const onSignal = (): void => detach.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const { io, restore } = terminalIo({ interactive, tty, detach: detach.signal });
    try {
      const code = await session.controlApi().exec(
        namespace,
        pod,
        {
          command: [],
          ...(typeof values.container === "string" ? { container: values.container } : {}),
          stdin: interactive,
          tty,
        },
        io,
      );
      return code === DETACHED ? EXIT.ok : code;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      restore();
    }
  },
};
