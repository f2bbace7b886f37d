import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ensureBuilt } from "../src/k8s/testenv/index.ts";

const run = promisify(execFile);

/** kubectl from PATH, else the one built into kube-testenv (`kube-testenv kubectl …`). */
export async function kubectlCommand(): Promise<string[] | undefined> {
  for (const candidate of [["kubectl"], [(await ensureBuilt()).path, "kubectl"]]) {
    try {
      await run(candidate[0] ?? "", [...candidate.slice(1), "version", "--client"]);
      return candidate;
    } catch {
      // try the next
    }
  }
  return undefined;
}
