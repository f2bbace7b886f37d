// Entry point of the detached watcher started by watchOwner():
//   node owner-watcher-main.ts <dataDir>
// It stops the cluster once none of the owners registered in <dataDir>/owners is alive,
// and exits by itself if the cluster is stopped by someone else first.
import { access } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { readOwners } from "./owner-watcher.ts";
import { clusterLayout } from "./paths.ts";
import { isAlive } from "./processes.ts";
import { withDataDirLock } from "./start-lock.ts";
import { stopProcesses } from "./stop.ts";

const POLL_MS = 500;
const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write("usage: owner-watcher-main.ts <dataDir>\n");
  process.exit(2);
}
const layout = clusterLayout(dataDir);

async function stateExists(): Promise<boolean> {
  try {
    await access(layout.stateFile);
    return true;
  } catch {
    return false;
  }
}

async function anyOwnerAlive(): Promise<boolean> {
  return (await readOwners(layout.ownersFile)).some((pid) => isAlive(pid));
}

// Checked again under the data dir lock: an owner may register (through startCluster,
// which holds the lock) between our last poll and the stop.
async function stopIfOrphaned(): Promise<boolean> {
  return withDataDirLock(layout.lockFile, log, async () => {
    if (await anyOwnerAlive()) return false;
    const owners = (await readOwners(layout.ownersFile)).join(", ");
    const result = await stopProcesses(layout);
    log(`owners ${owners} exited; stopped ${result.stopped.join(", ") || "nothing"}`);
    return true;
  });
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

for (;;) {
  if (!(await stateExists())) break;
  if (!(await anyOwnerAlive()) && (await stopIfOrphaned())) break;
  await sleep(POLL_MS);
}
