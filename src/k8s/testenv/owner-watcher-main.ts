// Entry point of the detached watcher started by watchOwner():
//   node owner-watcher-main.ts <dataDir> <ownerPid>
// It stops the cluster once the owner has exited, and exits by itself if the cluster is
// stopped by someone else first.
import { access } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { clusterLayout } from "./paths.ts";
import { isAlive } from "./processes.ts";
import { stopCluster } from "./stop.ts";

const POLL_MS = 500;
const [dataDir, ownerArg] = process.argv.slice(2);
const ownerPid = Number.parseInt(ownerArg ?? "", 10);
if (!dataDir || !Number.isInteger(ownerPid)) {
  process.stderr.write("usage: owner-watcher-main.ts <dataDir> <ownerPid>\n");
  process.exit(2);
}
const { stateFile } = clusterLayout(dataDir);

async function stateExists(): Promise<boolean> {
  try {
    await access(stateFile);
    return true;
  } catch {
    return false;
  }
}

while (isAlive(ownerPid) && (await stateExists())) await sleep(POLL_MS);
if (await stateExists()) {
  const result = await stopCluster(dataDir);
  process.stdout.write(
    `${new Date().toISOString()} owner ${ownerPid} exited; stopped ${result.stopped.join(", ")}\n`,
  );
}
