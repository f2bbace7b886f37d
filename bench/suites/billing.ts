import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requestSuiFromFaucetV2 } from "@mysten/sui/faucet";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { controlTransport } from "../../src/chain/index.ts";
import { createClusterWithDevEnclave } from "../../src/chain/k8s-daas.ts";
import { BillingStore, type PodItem, takeSnapshot } from "../../src/control/billing/index.ts";
import { startDevnetProcess } from "../../src/devnet/spawn.ts";
import { clusterLabelValue, KubeApiClient, LABEL_CLUSTER } from "../../src/k8s/index.ts";
import { startCluster } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import { loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { apiUrlOf, DAEMON } from "../daemon.ts";
import { sampleValue, scrape } from "../prometheus.ts";
import type { Figure, Suite } from "../report.ts";

const PODS = 10_000;
const NAMESPACES = 200;
const NODES = 50;
const SAMPLES = 20;
/** Running pods fed to the daemon from the API server (override with BENCH_BILLING_PODS). */
const DAEMON_PODS = Number(process.env.BENCH_BILLING_PODS ?? 10_000);
const DAEMON_NAMESPACES = 100;
const DAEMON_NODES = 10;
/** How long each daemon runs while its RSS is watched (after its pods are all metered). */
const WATCH_MS = 30_000;

/** A pod list as the API server answers it (the fields metering reads, and a realistic rest). */
function podListBody(): string {
  const items = Array.from({ length: PODS }, (_, i) => ({
    metadata: {
      name: `web-${i}`,
      namespace: `tenant-${i % NAMESPACES}`,
      uid: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
      labels: { app: "web", "k8s-daas.io/request-id": String(i) },
    },
    spec: {
      nodeName: `node-${i % NODES}`,
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          resources: {
            requests: { cpu: "250m", memory: "128Mi" },
            limits: { cpu: "500m", memory: "256Mi" },
          },
        },
      ],
    },
    status: { phase: "Running", podIP: `10.0.${i >> 8}.${i & 255}` },
  }));
  return JSON.stringify({ kind: "PodList", items });
}

/**
 * Milliseconds one metering sample costs per 1,000 running pods (parse the list, take the
 * snapshot, add it to the open period in billing.sqlite), against parsing the same list
 * alone (what any reader of the list pays), and the process RSS after metering 10,000
 * pods. In process, with a synthetic pod list: the API server's own listing cost is not in
 * it. Then the daemon's RSS with 10,000 pods from the real API server (`daemonRss`).
 */
export const billingSuite: Suite = {
  name: "billing",
  description: `metering sample of ${PODS} running pods (${NAMESPACES} namespaces, ${NODES} nodes) vs JSON.parse of the list; nautilus-control's RSS metering ${DAEMON_PODS} KWOK pods vs the same daemon with billing off`,
  async run(): Promise<Figure[]> {
    return [...(await meterCost()), ...(await daemonRss())];
  },
};

/** The meter's own cost in this process, on a synthetic list (see the suite's doc). */
async function meterCost(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-bench-billing-"));
  const store = new BillingStore(join(dir, "billing.sqlite"));
  try {
    const body = podListBody();
    store.align({ reportedPeriods: 0n, lastPeriodEndMs: 0n }, 0, 3_600_000);
    let started = performance.now();
    for (let i = 0; i < SAMPLES; i++) JSON.parse(body);
    const parseMs = (performance.now() - started) / SAMPLES;

    started = performance.now();
    for (let i = 1; i <= SAMPLES; i++) {
      const pods = (JSON.parse(body) as { items: PodItem[] }).items;
      const snapshot = takeSnapshot(pods, [], () => true);
      store.accumulate(snapshot, i * 1_000, { periodMs: 3_600_000, maxGapMs: 30_000 });
    }
    const meterMs = (performance.now() - started) / SAMPLES;
    const rssMb = process.memoryUsage().rss / (1024 * 1024);
    const per1000 = (ms: number) => (ms * 1000) / PODS;
    return [
      {
        suite: "billing",
        metric: "meter_ms_per_1000_pods",
        value: Number(per1000(meterMs).toFixed(2)),
        unit: "ms",
        note: "parse + snapshot + SQLite accumulate, per sample",
      },
      {
        suite: "billing",
        metric: "baseline_parse_ms_per_1000_pods",
        value: Number(per1000(parseMs).toFixed(2)),
        unit: "ms",
        note: "JSON.parse of the same pod list",
      },
      {
        suite: "billing",
        metric: "bench_rss_mb_10000_pods",
        value: Number(rssMb.toFixed(0)),
        unit: "MB",
        note: "this bench process (40 parses of a 10,000-pod list, no forced GC), not the daemon",
      },
    ];
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `work` over `items`, `width` at a time. */
async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/**
 * nautilus-control's resident memory (its own /metrics, `process_resident_memory_bytes`,
 * the highest of one scrape a second) while it meters `DAEMON_PODS` running pods that the
 * real API server (kube-testenv) lists, KWOK running them on 10 simulated nodes, in 100
 * tenant namespaces of its cluster: 2 s samples, 20 s periods, reports posted to a devnet
 * process. Baseline: the same daemon, same cluster and pods, `K8S_DAAS_BILLING_ENABLED=false`.
 * Each runs `WATCH_MS` once its state is reached; the daemon's launcher bounds its heap.
 */
async function daemonRss(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-bench-billing-rss-"));
  const cluster = await startCluster({
    dataDir: join(repoRoot, ".data", "bench-billing-cluster"),
    nodes: DAEMON_NODES,
    nodeResources: { cpu: "1000", memory: "4000Gi", pods: "2000" },
  });
  const devnet = await startDevnetProcess(join(dir, "devnet"));
  try {
    const client = new SuiGrpcClient({ network: "localnet", baseUrl: devnet.url });
    const [admin, operator] = [Ed25519Keypair.generate(), Ed25519Keypair.generate()];
    for (const key of [admin, operator]) {
      await requestSuiFromFaucetV2({ host: devnet.url, recipient: key.toSuiAddress() });
    }
    const enclave = loadDevEnclaveSigner(join(dir, "enclave.json"));
    const { clusterId } = await createClusterWithDevEnclave(
      client,
      devnet.packageId,
      admin,
      enclave,
      "bench-billing",
    );

    // The pods, through the API server: tenant namespaces of this cluster, pods bound to
    // the simulated nodes (KWOK runs them; the scheduler is not what is measured).
    const kube = new KubeApiClient(cluster.kubeConfig());
    const stamp = Date.now().toString(36);
    const namespaces = Array.from({ length: DAEMON_NAMESPACES }, (_, i) => `rss-${stamp}-${i}`);
    const labels = { [LABEL_CLUSTER]: clusterLabelValue(clusterId) };
    await pool(namespaces, 16, async (name) => {
      await kube.request("POST", "/api/v1/namespaces", {
        body: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } },
      });
    });
    const started = performance.now();
    await pool(
      Array.from({ length: DAEMON_PODS }, (_, i) => i),
      32,
      async (i) => {
        const namespace = namespaces[i % DAEMON_NAMESPACES] as string;
        const body = {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: `work-${i}`, namespace, labels: { app: "work" } },
          spec: {
            nodeName: `kwok-node-${(i % DAEMON_NODES) + 1}`,
            automountServiceAccountToken: false,
            containers: [
              {
                name: "work",
                image: "nginx:1.27",
                resources: { requests: { cpu: "10m", memory: "16Mi" } },
              },
            ],
          },
        };
        // A new namespace's default ServiceAccount may not exist yet: try again.
        for (let attempt = 0; ; attempt++) {
          try {
            await kube.request("POST", `/api/v1/namespaces/${namespace}/pods`, { body });
            return;
          } catch (error) {
            if (attempt >= 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      },
    );
    const running = async () => {
      let count = 0;
      let token: string | undefined;
      do {
        const { body } = await kube.request("GET", "/api/v1/pods", {
          query: {
            fieldSelector: "status.phase=Running",
            labelSelector: "app=work",
            limit: "2000",
            ...(token ? { continue: token } : {}),
          },
        });
        const list = body as { items: unknown[]; metadata?: { continue?: string } };
        count += list.items.length;
        token = list.metadata?.continue || undefined;
      } while (token);
      return count;
    };
    while ((await running()) < DAEMON_PODS) await new Promise((r) => setTimeout(r, 1_000));
    const feedSeconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `bench: billing: ${DAEMON_PODS} pods running through the API server in ${feedSeconds.toFixed(0)} s\n`,
    );

    const watch = async (
      name: string,
      env: Record<string, string>,
      reached: (metrics: Awaited<ReturnType<typeof scrape>>) => boolean,
    ): Promise<number> => {
      const daemon: ChildProcess = spawn(
        DAEMON,
        [
          "--network",
          devnet.url,
          "--package-id",
          devnet.packageId,
          "--cluster-id",
          clusterId,
          "--kubeconfig",
          cluster.kubeconfigPath,
          "--data-dir",
          join(dir, name),
          "--enclave-key-file",
          join(dir, "enclave.json"),
          "--listen",
          "127.0.0.1:0",
          "--log-level",
          "error",
        ],
        {
          stdio: ["ignore", "ignore", "pipe"],
          env: { ...process.env, K8S_DAAS_OPERATOR_KEY: operator.getSecretKey(), ...env },
        },
      );
      try {
        const control = controlTransport({
          url: await apiUrlOf(daemon),
          pin: { client, clusterId },
        });
        let peak = 0;
        let since: number | undefined;
        while (since === undefined || performance.now() - since < WATCH_MS) {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          if (daemon.exitCode !== null) throw new Error(`${name}: the daemon exited`);
          const metrics = await scrape(control);
          peak = Math.max(peak, sampleValue(metrics, "process_resident_memory_bytes"));
          if (since === undefined && reached(metrics)) since = performance.now();
        }
        return peak / (1024 * 1024);
      } finally {
        daemon.kill("SIGTERM");
        if (daemon.exitCode === null) await once(daemon, "exit");
      }
    };
    const baseline = await watch("baseline", { K8S_DAAS_BILLING_ENABLED: "false" }, () => true);
    const metered = await watch(
      "metered",
      { K8S_DAAS_BILLING_SAMPLE_MS: "2000", K8S_DAAS_BILLING_PERIOD_MS: "20000" },
      (metrics) =>
        sampleValue(metrics, "k8s_daas_billing_metered_pods") >= DAEMON_PODS &&
        sampleValue(metrics, "k8s_daas_billing_reports_total") >= 1,
    );
    const note = `peak of nautilus-control's own RSS; ${DAEMON_PODS} KWOK pods listed by kube-testenv's API server`;
    return [
      {
        suite: "billing",
        metric: `rss_mb_${DAEMON_PODS}_pods`,
        value: Number(metered.toFixed(0)),
        unit: "MB",
        note: `${note}, metered (2 s samples) and reported (goal <= 300)`,
      },
      {
        suite: "billing",
        metric: `baseline_rss_mb_${DAEMON_PODS}_pods`,
        value: Number(baseline.toFixed(0)),
        unit: "MB",
        note: `${note}, billing off`,
      },
    ];
  } finally {
    await devnet.stop();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
