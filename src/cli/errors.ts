/** Exit codes of `k8s-daas`, documented in `k8s-daas --help`. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (an error from the chain, the cluster or the system). */
  failure: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** A service the command needs (chain, control plane, cluster) could not be reached. */
  unavailable: 3,
  /** Interrupted (Ctrl-C) before finishing. */
  interrupted: 130,
} as const;

/** An error the CLI reports on one line, with a hint, and exits with `exitCode`. */
export class CliError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(
    code: string,
    message: string,
    options: { hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(
    "USAGE",
    message,
    hint ? { hint, exitCode: EXIT.usage } : { exitCode: EXIT.usage },
  );
}
