import { readFile, rm, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { TestenvError } from "./errors.ts";
import { isAlive } from "./processes.ts";

/**
 * Tries to take the data directory's start lock (a file holding our pid, created
 * exclusively), so two processes never start clusters over each other. A lock left by a
 * dead process is taken over. Returns the release function, or the pid of the live
 * process that holds the lock.
 */
async function tryStartLock(
  lockFile: string,
): Promise<{ release: () => Promise<void> } | { heldBy: number }> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: "wx" });
      return { release: () => rm(lockFile, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(await readFile(lockFile, "utf8").catch(() => ""), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        return { heldBy: holder };
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new TestenvError("TESTENV_DATA_DIR_BUSY", `could not take the start lock ${lockFile}`);
}

/**
 * Runs `body` while holding the data directory's lock, waiting as long as another live
 * process holds it. Starting and stopping both take it, so a start never sees a cluster
 * that is half torn down by a concurrent stop (or the reverse).
 */
export async function withDataDirLock<T>(
  lockFile: string,
  log: (line: string) => void,
  body: () => Promise<T>,
): Promise<T> {
  let announced = false;
  for (;;) {
    const lock = await tryStartLock(lockFile);
    if ("release" in lock) {
      try {
        return await body();
      } finally {
        await lock.release();
      }
    }
    if (!announced) {
      log(`kube-testenv: waiting for pid ${lock.heldBy}, which holds ${lockFile}`);
      announced = true;
    }
    await sleep(500);
  }
}
