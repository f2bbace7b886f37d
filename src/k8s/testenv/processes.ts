import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export interface LaunchedProcess {
  readonly pid: number;
  /** Set once the process has exited while this Node process was still watching it. */
  exitCode(): number | null | undefined;
}

/**
 * Starts a long-running process in its own process group (detached), with stdout and
 * stderr appended to `logFile`. The caller may exit; the process keeps running until
 * `stopProcessGroup`. Its own group means one signal reaches any children it spawns too.
 */
export function launchDetached(
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): LaunchedProcess {
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd], env });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    let exited: number | null | undefined;
    child.on("exit", (code, signal) => {
      exited = code ?? (signal ? 128 : null);
    });
    child.on("error", () => {
      exited = -1;
    });
    child.unref();
    return { pid: child.pid, exitCode: () => exited };
  } finally {
    closeSync(fd);
  }
}

/** True if a process with this pid exists (zombies of our own children are reaped by Node). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * True if `pid` is alive AND its command line contains `marker` (for example the data
 * directory). Guards against signalling an unrelated process that reused a recorded pid.
 */
export async function isOurProcess(pid: number, marker: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes(marker);
  } catch {
    // No procfs (not Linux): the liveness check is all we have.
    return process.platform !== "linux";
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The group leader or any member of its group still exists. */
function anyAlive(pgid: number): boolean {
  return groupAlive(pgid) || isAlive(pgid);
}

function signal(pid: number, signalName: NodeJS.Signals): void {
  try {
    process.kill(pid, signalName);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * Sends SIGTERM to the process group led by `pgid` (and to `pgid` itself, in case it is
 * not a group leader), waits up to `graceMs` for all of it to disappear, then SIGKILLs
 * what is left. Resolves true when nothing remains.
 */
export async function stopProcessGroup(pgid: number, graceMs = 15_000): Promise<boolean> {
  if (!anyAlive(pgid)) return true;
  signal(-pgid, "SIGTERM");
  signal(pgid, "SIGTERM");
  if (await waitGone(pgid, graceMs)) return true;
  signal(-pgid, "SIGKILL");
  signal(pgid, "SIGKILL");
  return waitGone(pgid, 5_000);
}

async function waitGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!anyAlive(pgid)) return true;
    await sleep(100);
  }
  return !anyAlive(pgid);
}

/**
 * Pids of kube-testenv processes (components and the owner watcher) whose command line
 * mentions `dataDir`; a /proc scan, empty on systems without procfs. Proves that a stopped
 * cluster left nothing behind, including processes a lost state file no longer names.
 */
export async function testenvProcessesUsing(dataDir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    const pid = Number.parseInt(entry, 10);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
      const isTestenv =
        argv[0]?.endsWith("/kube-testenv") === true ||
        // the sources (.ts) or the compiled package (.js)
        argv.some((arg) => /owner-watcher-main\.[jt]s$/.test(arg));
      if (isTestenv && argv.some((arg) => arg.includes(dataDir))) found.push(pid);
    } catch {
      // The process exited while we were scanning.
    }
  }
  return found;
}
