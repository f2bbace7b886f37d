// npm run cluster:build | cluster:up | cluster:down | cluster:status
//   node scripts/cluster.ts <command> [--dir <dataDir>] [--nodes <n>]
// Manages a local kube-testenv cluster (real kube-apiserver, etcd, controller-manager,
// scheduler, KWOK nodes). `up` leaves it running in the background.

import { parseArgs } from "node:util";
import { CoreV1Api } from "@kubernetes/client-node";
import {
  clusterStatus,
  defaultClusterDataDir,
  ensureBuilt,
  startCluster,
  stopCluster,
  TestenvError,
  testenvProcessesUsing,
} from "../src/k8s/testenv/index.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: "string", default: defaultClusterDataDir },
    nodes: { type: "string", default: "3" },
  },
});
const command = positionals[0];
const dataDir = values.dir;
const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function build(): Promise<void> {
  const binary = await ensureBuilt();
  print(
    binary.built
      ? `built ${binary.path} in ${binary.buildSeconds.toFixed(1)}s`
      : `up to date: ${binary.path} (cache hit, ${binary.hash})`,
  );
}

async function up(): Promise<void> {
  const nodes = Number.parseInt(values.nodes, 10);
  if (!Number.isInteger(nodes) || nodes < 1)
    throw new Error(`--nodes must be >= 1, got ${values.nodes}`);
  print(`data dir: ${dataDir}`);
  const cluster = await startCluster({ dataDir, nodes });
  const v = cluster.versions;
  print(
    cluster.reused
      ? "reusing the healthy cluster already running in this data dir"
      : `build: ${cluster.buildSeconds.toFixed(1)}s${cluster.buildSeconds === 0 ? " (cached)" : ""}, ` +
          `start: ${cluster.startSeconds.toFixed(1)}s`,
  );
  print(
    `kubernetes ${v.kubernetes}, etcd ${v.etcd}, kwok ${v.kwok} (build ${v.sourceHash}, git ${v.git})`,
  );
  print(`server:     ${cluster.server}`);
  print(`kubeconfig: ${cluster.kubeconfigPath}`);
  print(`logs:       ${cluster.logDir}`);
  print(`try:        kubectl --kubeconfig ${cluster.kubeconfigPath} get nodes`);
  // kubectl of the same release is part of the kube-testenv binary, for machines without one.
  const { path: binary } = await ensureBuilt({ log: () => {} });
  print(`   or:      ${binary} kubectl --kubeconfig ${cluster.kubeconfigPath} get nodes`);
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  for (const node of (await core.listNode()).items) {
    const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown";
    const allocatable = node.status?.allocatable ?? {};
    print(
      `  node ${node.metadata?.name}  Ready=${ready}  cpu=${allocatable.cpu} ` +
        `memory=${allocatable.memory} pods=${allocatable.pods}`,
    );
  }
  print("stop with: npm run cluster:down");
}

async function down(): Promise<void> {
  const result = await stopCluster(dataDir);
  if (!result.wasRunning) print(`no cluster recorded in ${dataDir}`);
  else
    print(
      `stopped ${result.stopped.length ? result.stopped.join(", ") : "nothing (already dead)"}`,
    );
  const left = await testenvProcessesUsing(result.dataDir);
  if (left.length > 0) {
    throw new Error(`processes still running for ${dataDir}: ${left.join(", ")}`);
  }
  print("no kube-testenv process left for this data dir");
}

async function status(): Promise<void> {
  const result = await clusterStatus(dataDir);
  if (!result.exists || !result.state) {
    print(`no cluster in ${dataDir}`);
    process.exitCode = 3;
    return;
  }
  print(`${result.healthy ? "healthy" : "NOT healthy"}: ${result.state.server} (${dataDir})`);
  print(`kubeconfig: ${result.state.kubeconfigPath}`);
  for (const c of result.components) {
    const health = c.healthy ? "healthy" : c.alive ? "unhealthy" : "dead";
    print(`  ${c.name.padEnd(19)} pid ${String(c.pid).padEnd(8)} ${health.padEnd(9)} ${c.logFile}`);
  }
  if (!result.healthy) process.exitCode = 1;
}

const commands: Record<string, () => Promise<void>> = { build, up, down, status };
const run = command ? commands[command] : undefined;
if (!run) {
  process.stderr.write(
    "usage: node scripts/cluster.ts build|up|down|status [--dir D] [--nodes N]\n",
  );
  process.exit(2);
}
try {
  await run();
} catch (error) {
  const code = error instanceof TestenvError ? ` [${error.code}]` : "";
  process.stderr.write(
    `cluster ${command} failed${code}: ${error instanceof Error ? error.message : error}\n`,
  );
  process.exitCode = 1;
}
