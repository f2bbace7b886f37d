import { readFile, rm, writeFile } from "node:fs/promises";
import { TestenvError } from "./errors.ts";
import { isAlive } from "./processes.ts";

/**
 * Takes the data directory's start lock (a file holding our pid, created exclusively), so
 * two processes never start clusters over each other. A lock left by a dead process is
 * taken over. Returns the release function.
 */
export async function acquireStartLock(lockFile: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: "wx" });
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(await readFile(lockFile, "utf8").catch(() => ""), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new TestenvError(
          "TESTENV_DATA_DIR_BUSY",
          `another process (pid ${holder}) is starting a cluster in this data dir (${lockFile})`,
        );
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new TestenvError("TESTENV_DATA_DIR_BUSY", `could not take the start lock ${lockFile}`);
}
