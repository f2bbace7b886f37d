// nautilus-control as the benchmarks run it: the production launcher, and its API URL.
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The production launcher of the daemon (it bounds its own heap). */
export const DAEMON = fileURLToPath(new URL("../bin/nautilus-control.ts", import.meta.url));

/**
 * The daemon's API URL, from the line it prints once serving; every stderr line is passed
 * on, so its errors still show.
 */
export async function apiUrlOf(daemon: ChildProcess): Promise<string> {
  const stderr = daemon.stderr;
  if (!stderr) throw new Error("the daemon's stderr is not piped");
  const lines = createInterface({ input: stderr });
  return new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      process.stderr.write(`${line}\n`);
      const url = /; API (https?:\/\/\S+)/.exec(line)?.[1];
      if (url) resolve(url);
    });
    daemon.once("exit", (code) =>
      reject(new Error(`nautilus-control exited (${code}) before serving`)),
    );
  });
}
