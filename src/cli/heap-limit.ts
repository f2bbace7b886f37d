import { spawn } from "node:child_process";

/**
 * A long-running daemon on a small machine should not let V8 grow its heap lazily into
 * hundreds of MB (it does, with a 24 GB host, before collecting). `bin/nautilus-control.ts`
 * carries these flags in its shebang; started any other way (`node bin/…`), it re-runs
 * itself with them, passing signals on and the exit code back.
 */
export const DAEMON_HEAP_FLAGS = ["--max-old-space-size=128", "--max-semi-space-size=4"];

/** Returns false when this process already runs with a heap limit (carry on), else relaunches. */
export async function relaunchWithHeapLimit(
  script: string,
  args: readonly string[],
): Promise<number | false> {
  const limited = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(" ")].some(
    (flag) => flag.startsWith("--max-old-space-size"),
  );
  if (limited) return false;
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...DAEMON_HEAP_FLAGS, script, ...args],
    {
      stdio: "inherit",
    },
  );
  // Ctrl-C reaches the whole process group; SIGTERM sent to this pid is passed on.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on("SIGINT", () => {});
  process.on("SIGTERM", forward("SIGTERM"));
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
}
