import { CONNECTION_HELP, CONNECTION_OPTIONS } from "./context.ts";
import type { ExecIo } from "./exec-session.ts";

/** The flags of a terminal session with a pod (`exec`, `attach`), named as kubectl's. */
export const TERMINAL_SESSION_OPTIONS = {
  namespace: { type: "string", short: "n" },
  container: { type: "string", short: "c" },
  stdin: { type: "boolean", short: "i" },
  tty: { type: "boolean", short: "t" },
  ...CONNECTION_OPTIONS,
} as const;

/** Help for those flags but `stdin` and `tty`, whose meaning each command words itself. */
export const TERMINAL_SESSION_HELP: Record<string, string> = {
  namespace: "your namespace (default: the context's, else the only one you hold)",
  container: "which container (default: the pod's only one)",
  ...CONNECTION_HELP,
};

/**
 * This process's terminal as an exec/attach session's input and output: stdout and stderr,
 * stdin when `interactive`, the window size when `tty` and stdout is a terminal. With both
 * and a terminal on stdin, the terminal goes raw (keys, Ctrl-C included, go to the pod)
 * until `restore`.
 */
export function terminalIo(options: { interactive: boolean; tty: boolean; detach?: AbortSignal }): {
  io: ExecIo;
  restore: () => void;
} {
  const { interactive, tty } = options;
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
    ...(options.detach ? { detach: options.detach } : {}),
  };
  if (rawTerminal) process.stdin.setRawMode(true);
  return {
    io,
    restore: () => {
      if (rawTerminal) process.stdin.setRawMode(false);
      // Reading stdin keeps the process alive after the session.
      if (interactive) process.stdin.destroy();
    },
  };
}
