import { readFile, rename, writeFile } from "node:fs/promises";
import { TestenvError } from "./errors.ts";

export type ComponentName = "etcd" | "apiserver" | "controller-manager" | "scheduler" | "kwok";

export interface ComponentState {
  readonly name: ComponentName;
  readonly pid: number;
  readonly logFile: string;
  /** Health endpoint probed for readiness and status. */
  readonly healthUrl: string;
}

export interface TestenvVersions {
  readonly kubernetes: string;
  readonly etcd: string;
  readonly kwok: string;
  /** Upstream helm beside the binary (`kube-testenv helm`); absent from older builds. */
  readonly helm?: string;
  readonly sourceHash: string;
  readonly git: string;
}

/** What a running cluster leaves in `<dataDir>/state.json` for later `status`/`stop`/reuse. */
export interface ClusterState {
  readonly formatVersion: 1;
  readonly dataDir: string;
  readonly binary: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly versions: TestenvVersions;
  readonly nodes: readonly string[];
  readonly startedAt: string;
  readonly components: readonly ComponentState[];
  /** Optional watcher that stops the cluster when its owner process exits (tests). */
  readonly watcherPid?: number;
}

export async function readState(stateFile: string): Promise<ClusterState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as ClusterState;
    if (parsed.formatVersion !== 1 || !Array.isArray(parsed.components)) {
      throw new Error("unknown format");
    }
    return parsed;
  } catch (error) {
    throw new TestenvError(
      "TESTENV_BAD_STATE",
      `state file ${stateFile} is unreadable; remove it after checking no cluster runs there`,
      { cause: error },
    );
  }
}

export async function writeState(stateFile: string, state: ClusterState): Promise<void> {
  const partial = `${stateFile}.partial`;
  await writeFile(partial, `${JSON.stringify(state, null, 2)}\n`);
  await rename(partial, stateFile);
}
