// Worker scale: 500 simulated workers register (stake), get activated, join as KWOK nodes
// and heartbeat on chain, against the devnet (this process, over HTTP) and nautilus-control
// (its own process, so its memory and CPU are its own) on the shared kube-testenv cluster.
//
// Figures: heartbeat lag p99 (a heartbeat's chain timestamp → the control plane committing
// it), beside a bare event follower's lag in the same run (the chain's own delivery
// latency); the control plane's peak RSS and CPU while the workers heartbeat, beside the
// same process idle before any worker registered.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import pino from "pino";
import { createSuiClient, EventFollower, SubmissionJournal } from "../../src/chain/index.ts";
import { createClusterWithDevEnclave } from "../../src/chain/k8s-daas.ts";
import { DAEMON_HEAP_FLAGS } from "../../src/cli/heap-limit.ts";
import { defaultConfig, resolveConfig } from "../../src/control/config.ts";
import { startNautilusControl } from "../../src/control/nautilus-control.ts";
import { LABEL_WORKER } from "../../src/control/workers/index.ts";
import { openDevnet } from "../../src/devnet/index.ts";
import { startCluster } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import { eventType, WORKER_ACTION, WorkerNodeEvent } from "../../src/protocol/index.ts";
import { loadDevEnclaveSigner } from "../../src/tee/index.ts";
import {
  ActivationWatcher,
  generateWorkerEncryptionKey,
  SimulatedJoiner,
  WorkerAgent,
  WorkerChain,
} from "../../src/worker/index.ts";
import { type Figure, percentile, type Suite } from "../report.ts";

const WORKERS = Number(process.env.BENCH_WORKERS ?? 500);
const HEARTBEAT_INTERVAL_MS = 10_000;
const MEASURE_MS = 30_000;
const IDLE_MS = 5_000;
const STAKE_MIST = 1_000_000_000n;
const CHILD_FLAG = "--workers-bench-control";
/**
 * The control plane runs with the daemon's heap flags (as `bin/nautilus-control.ts` launches
 * it in production); BENCH_CONTROL_DEFAULT_HEAP=1 measures V8's default sizing instead.
 */
const CONTROL_HEAP_FLAGS = process.env.BENCH_CONTROL_DEFAULT_HEAP === "1" ? [] : DAEMON_HEAP_FLAGS;

interface ChildSetup {
  devnetUrl: string;
  packageId: string;
  clusterId: string;
  dataDir: string;
  kubeconfigPath: string;
  operatorKey: string;
}

/** What the control-plane process reports for one measured window. */
interface WindowStats {
  peakRssMb: number;
  /** V8 heap still live after a full collection at the end of the window. */
  liveHeapMb: number;
  cpuPct: number;
  lagsMs: number[];
}

export const workersSuite: Suite = {
  name: "workers",
  description: `${WORKERS} simulated workers register and heartbeat through devnet + kube-testenv; control-plane heartbeat lag, RSS and CPU beside a bare follower and the idle control plane`,
  async run(): Promise<Figure[]> {
    // Its own cluster (as the control suite): 500 worker nodes never land in the test cluster.
    const cluster = await startCluster({
      dataDir: join(repoRoot, ".data", "bench-cluster"),
      nodes: 3,
    });
    const kube = cluster.kubeConfig();
    const core = kube.makeApiClient(CoreV1Api);
    const dataDir = mkdtempSync(join(tmpdir(), "k8s-daas-bench-workers-"));
    const devnet = await openDevnet({ listen: { port: 0 } });
    const client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
    const admin = Ed25519Keypair.generate();
    const operator = Ed25519Keypair.generate();
    await devnet.faucet(admin.toSuiAddress(), 10_000_000_000_000n);
    await devnet.faucet(operator.toSuiAddress(), 10_000_000_000_000n);
    const clusterId = await createCluster(client, devnet.packageId, admin, dataDir);
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
      env: {
        ...process.env,
        K8S_DAAS_BENCH_SETUP: JSON.stringify({
          devnetUrl: devnet.url ?? "",
          packageId: devnet.packageId,
          clusterId,
          dataDir,
          kubeconfigPath: cluster.kubeconfigPath,
          operatorKey: operator.getSecretKey(),
        } satisfies ChildSetup),
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // The daemon's bounded heap: without it V8 collects lazily and RSS holds garbage (the
      // live heap after a full collection is reported beside it). --expose-gc only serves
      // that report.
      execArgv: [...process.execArgv, ...CONTROL_HEAP_FLAGS, "--expose-gc"],
    });
    const ask = (command: string) =>
      new Promise<WindowStats>((resolve, reject) => {
        child.once("message", (message) => resolve(message as WindowStats));
        child.once("exit", (code) => reject(new Error(`control process exited (${code})`)));
        child.send(command);
      });
    const baselineLags: number[] = [];
    const baseline = followHeartbeats(client, devnet.packageId, clusterId, baselineLags);
    const watcher = new ActivationWatcher(client, devnet.packageId, clusterId);
    const agents: WorkerAgent[] = [];
    const heartbeatsStarted: Promise<void>[] = [];
    try {
      await new Promise((resolve) => child.once("message", resolve)); // ready
      const idle = await ask(`measure:${IDLE_MS}`);
      const suffix = Date.now().toString(36);
      const journal = new SubmissionJournal(":memory:");
      for (let start = 0; start < WORKERS; start += 50) {
        const batch = Array.from({ length: Math.min(50, WORKERS - start) }, (_, i) => start + i);
        agents.push(
          ...(await Promise.all(
            batch.map(async (index) => {
              const owner = Ed25519Keypair.generate();
              await devnet.faucet(owner.toSuiAddress(), 10_000_000_000n);
              const agent = new WorkerAgent({
                client,
                chain: new WorkerChain({
                  client,
                  signer: owner,
                  packageId: devnet.packageId,
                  clusterId,
                  journal,
                }),
                key: generateWorkerEncryptionKey(),
                packageId: devnet.packageId,
                clusterId,
                nodeId: `bench-${suffix}-${index}`,
                joiner: new SimulatedJoiner(),
                watcher,
                heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
                activationTimeoutMs: 600_000,
              });
              await agent.register(STAKE_MIST);
              // Heartbeats start once registered (as `worker run` does), spread over one
              // interval as independent machines would be.
              heartbeatsStarted.push(
                sleep(Math.random() * HEARTBEAT_INTERVAL_MS).then(() => agent.startHeartbeats()),
              );
              return agent;
            }),
          )),
        );
        progress(`registered ${agents.length}`);
      }
      const registeredAt = performance.now();
      let joined = 0;
      await Promise.all(
        agents.map(async (agent) => {
          await agent.join();
          if (++joined % 50 === 0) progress(`joined ${joined}`);
        }),
      );
      const joinedSeconds = (performance.now() - registeredAt) / 1000;
      await Promise.all(heartbeatsStarted);
      baselineLags.length = 0;
      const busy = await ask(`measure:${MEASURE_MS}`);
      const baselineWindow = [...baselineLags];
      const nodes = (await core.listNode({ labelSelector: LABEL_WORKER })).items.length;
      return [
        {
          suite: "workers",
          metric: "heartbeat_lag_p99_ms",
          value: percentile(busy.lagsMs, 99),
          unit: "ms",
          note: `${busy.lagsMs.length} heartbeats of ${agents.length} workers in ${MEASURE_MS / 1000} s (goal < 1000)`,
        },
        {
          suite: "workers",
          metric: "baseline_follower_lag_p99_ms",
          value: percentile(baselineWindow, 99),
          unit: "ms",
          note: "same heartbeats, seen by a bare event follower (no inbox, no control plane)",
        },
        {
          suite: "workers",
          metric: "control_rss_mb",
          value: busy.peakRssMb,
          unit: "MB",
          note: `peak while ${agents.length} workers heartbeat; ${nodes} worker nodes; live V8 heap ${busy.liveHeapMb.toFixed(0)} MB; ${CONTROL_HEAP_FLAGS.length > 0 ? CONTROL_HEAP_FLAGS.join(" ") : "default V8 heap"} (goal <= 300)`,
        },
        {
          suite: "workers",
          metric: "baseline_control_idle_rss_mb",
          value: idle.peakRssMb,
          unit: "MB",
          note: `same process before any worker registered; live V8 heap ${idle.liveHeapMb.toFixed(0)} MB`,
        },
        {
          suite: "workers",
          metric: "control_cpu_pct",
          value: busy.cpuPct,
          unit: "%",
          note: "of one core, while the workers heartbeat",
        },
        {
          suite: "workers",
          metric: "baseline_control_idle_cpu_pct",
          value: idle.cpuPct,
          unit: "%",
          note: "of one core, idle",
        },
        {
          suite: "workers",
          metric: "join_all_s",
          value: joinedSeconds,
          unit: "s",
          note: `registered → all ${agents.length} activated and joined as KWOK nodes`,
        },
      ];
    } finally {
      await Promise.allSettled(heartbeatsStarted);
      await Promise.all(agents.map((agent) => agent.stopHeartbeats()));
      child.send("stop");
      await new Promise((resolve) => child.once("exit", resolve));
      await watcher.close();
      await baseline.stop();
      await devnet.close();
      await deleteWorkerNodes(kube);
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

function progress(line: string): void {
  process.stderr.write(`bench: workers: ${line} (${new Date().toISOString().slice(11, 19)})\n`);
}

async function createCluster(
  client: SuiGrpcClient,
  packageId: string,
  admin: Ed25519Keypair,
  dataDir: string,
): Promise<string> {
  const enclave = loadDevEnclaveSigner(join(dataDir, "enclave.json"));
  const { clusterId } = await createClusterWithDevEnclave(
    client,
    packageId,
    admin,
    enclave,
    "bench",
  );
  return clusterId;
}

/** The baseline: heartbeat events as a bare follower receives them. */
function followHeartbeats(
  client: SuiGrpcClient,
  packageId: string,
  clusterId: string,
  lags: number[],
) {
  const stop = new AbortController();
  const follower = new EventFollower({
    client,
    eventTypes: [eventType(packageId, "WorkerNodeEvent")],
    cursor: null,
    decode: (_type, bcs) => WorkerNodeEvent.parse(bcs),
    onBatch: async (events) => {
      const now = Date.now();
      for (const event of events) {
        const e = event.decoded.ok ? event.decoded.value : undefined;
        if (e?.cluster_id === clusterId && e.action === WORKER_ACTION.heartbeat)
          lags.push(now - Number(e.timestamp_ms));
      }
    },
  });
  const running = follower.run(stop.signal).catch(() => undefined);
  return {
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}

async function deleteWorkerNodes(kube: KubeConfig): Promise<void> {
  const core = kube.makeApiClient(CoreV1Api);
  const nodes = (await core.listNode({ labelSelector: LABEL_WORKER })).items;
  for (let i = 0; i < nodes.length; i += 50) {
    await Promise.all(
      nodes
        .slice(i, i + 50)
        .map((node) => core.deleteNode({ name: node.metadata?.name ?? "" }).catch(() => undefined)),
    );
  }
}

/** The heap that survives a full collection (needs --expose-gc; NaN without). */
function liveHeapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return Number.NaN;
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** The control-plane process: nautilus-control, measured on request from the parent. */
async function controlChild(): Promise<void> {
  const setup = JSON.parse(process.env.K8S_DAAS_BENCH_SETUP ?? "{}") as ChildSetup;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(setup.kubeconfigPath);
  const config = resolveConfig(defaultConfig(join(setup.dataDir, "control")), {
    network: setup.devnetUrl,
    packageId: setup.packageId,
    clusterId: setup.clusterId,
    listenPort: 0,
    reconcileIntervalMs: 3_600_000,
    logLevel: "warn",
  });
  let lags: number[] | undefined;
  const control = await startNautilusControl(config, {
    client: createSuiClient(setup.devnetUrl),
    kubeConfig,
    operator: Ed25519Keypair.fromSecretKey(setup.operatorKey),
    enclave: loadDevEnclaveSigner(join(setup.dataDir, "enclave.json")),
    log: pino({ level: "warn" }, pino.destination(2)),
    workers: { stateReportIntervalMs: 0 },
  });
  // Sees each heartbeat inside the same ingest transaction as the worker registry.
  control.state.inbox.extend({
    open: () => undefined,
    apply: (_event, decoded) => {
      if (!lags || decoded.name !== "WorkerNodeEvent") return;
      const e = decoded.value;
      if (e.action === WORKER_ACTION.heartbeat) lags.push(Date.now() - Number(e.timestamp_ms));
    },
  });
  process.on("message", async (message: string) => {
    if (message === "stop") {
      await control.stop();
      process.exit(0);
    }
    const windowMs = Number(message.split(":")[1]);
    lags = [];
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 100);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await sleep(windowMs);
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const elapsedMs = performance.now() - started;
    const stats: WindowStats = {
      peakRssMb: peak / 1024 / 1024,
      liveHeapMb: liveHeapMb(),
      cpuPct: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
      lagsMs: lags,
    };
    lags = undefined;
    process.send?.(stats);
  });
  process.send?.("ready");
}

if (process.argv.includes(CHILD_FLAG)) await controlChild();
