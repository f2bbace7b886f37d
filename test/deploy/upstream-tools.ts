// helm and kubectl as users run them: the upstream binaries built into kube-testenv
// (`kube-testenv helm …`, `kube-testenv kubectl …`), for the chart tests.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ensureBuilt } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import { type CommandResult, runCommand } from "../../src/k8s/testenv/run-command.ts";

export const CHART_DIR = join(repoRoot, "deploy", "helm", "nautilus-control");
export const CHART_TEST_VALUES = join(CHART_DIR, "ci", "test-values.yaml");

/** helm keeps its config, cache and data here, not in the user's home. */
const helmHome = mkdtempSync(join(tmpdir(), "k8s-daas-helm-"));
const helmEnv = {
  ...process.env,
  HELM_CONFIG_HOME: join(helmHome, "config"),
  HELM_CACHE_HOME: join(helmHome, "cache"),
  HELM_DATA_HOME: join(helmHome, "data"),
};

async function kubeTestenv(args: readonly string[]): Promise<CommandResult> {
  const { path } = await ensureBuilt({ log: (line) => process.stderr.write(`# ${line}\n`) });
  return runCommand(path, args, { env: helmEnv, cwd: repoRoot });
}

export function helm(...args: string[]): Promise<CommandResult> {
  return kubeTestenv(["helm", ...args]);
}

export function kubectl(kubeconfig: string, ...args: string[]): Promise<CommandResult> {
  return kubeTestenv(["kubectl", "--kubeconfig", kubeconfig, ...args]);
}

/** A rendered manifest: the fields the tests read, the rest as parsed. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** `helm template` of the chart with the test values plus `--set` pairs; throws on failure. */
export async function renderChart(
  release: string,
  namespace: string,
  set: readonly string[] = [],
): Promise<{ yaml: string; objects: RenderedObject[] }> {
  const result = await helm(
    "template",
    release,
    CHART_DIR,
    "--namespace",
    namespace,
    "--values",
    CHART_TEST_VALUES,
    ...set.flatMap((pair) => ["--set", pair]),
  );
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  const objects = parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as RenderedObject | null)
    .filter((object): object is RenderedObject => object !== null);
  return { yaml: result.stdout, objects };
}

export function findObject(objects: readonly RenderedObject[], kind: string): RenderedObject {
  const found = objects.find((object) => object.kind === kind);
  if (!found) throw new Error(`the chart rendered no ${kind}`);
  return found;
}
