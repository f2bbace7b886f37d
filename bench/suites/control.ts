import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { type KubernetesObject, KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import { requestSuiFromFaucetV2 } from "@mysten/sui/faucet";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import type { Transaction } from "@mysten/sui/transactions";
import {
  controlTransport,
  SubmissionJournal,
  type SubmissionResult,
  Submitter,
} from "../../src/chain/index.ts";
import { addCall, claimNamespace, createClusterWithDevEnclave } from "../../src/chain/k8s-daas.ts";
import { startDevnetProcess } from "../../src/devnet/spawn.ts";
import { startCluster } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import { abortConstantName } from "../../src/protocol/index.ts";
import { loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { kubectlCommand } from "../kubectl.ts";
import {
  bucketsBetween,
  histogramQuantile,
  type Scrape,
  sampleValue,
  scrape,
} from "../prometheus.ts";
import type { Figure, Suite } from "../report.ts";

/** The production launcher of the daemon (it bounds its own heap). */
const DAEMON = fileURLToPath(new URL("../../bin/nautilus-control.ts", import.meta.url));
const NAMESPACES = 8;
const CONCURRENCY = 8;
/** Override with BENCH_CONTROL_REQUESTS for a quicker run (the goals are stated for 10,000). */
const THROUGHPUT_REQUESTS = Number(process.env.BENCH_CONTROL_REQUESTS ?? 10_000);
const DIRECT_REQUESTS = 2_000;
const KUBECTL_REQUESTS = 80;
const PER_TX = 100;

const configMap = (
  namespace: string,
  name: string,
): KubernetesObject & { data: Record<string, string> } => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data: { value: name },
});

/**
 * nautilus-control against the limit and against the seed's way, in one run on one cluster:
 * (a) the same server-side applies sent directly with @kubernetes/client-node, (b) one
 * `kubectl apply --server-side` process per request. Throughput with 8 requests in flight.
 * Over the same run, from the daemon's /metrics scraped before and after: its CPU time per
 * request (user + system; steadier than a rate on a shared machine) and the pipeline's own
 * share of each request (`k8s_daas_pipeline_overhead_seconds`: ingest, admission and
 * recording the outcome, without queueing or the Kubernetes call), p50 and p99.
 */
export const controlSuite: Suite = {
  name: "control",
  description: `${THROUGHPUT_REQUESTS} requests through nautilus-control vs direct client-node vs one kubectl per request`,
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), "k8s-daas-bench-control-"));
    const cluster = await startCluster({
      dataDir: join(repoRoot, ".data", "bench-cluster"),
      nodes: 3,
    });
    const devnet = await startDevnetProcess(join(dir, "devnet"));
    let control: ReturnType<typeof spawn> | undefined;
    try {
      const kubeConfig = cluster.kubeConfig();
      const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
      const stamp = Date.now().toString(36);
      const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${stamp}-${i}`);
      const apply = (object: KubernetesObject) =>
        objects.patch(
          object,
          undefined,
          undefined,
          "bench-direct",
          true,
          PatchStrategy.ServerSideApply,
        );
      for (const namespace of namespaces) {
        await objects.create({
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: `direct-${namespace}` },
        });
      }

      // (a) direct: the limit. The workload is create/delete pairs (a tenant quota caps live
      // objects per namespace). This process's CPU time per request is the client's own cost.
      const directCpuBefore = process.cpuUsage();
      const directRate =
        2 *
        (await rate(DIRECT_REQUESTS / 2, CONCURRENCY, async (pair) => {
          const namespace = `direct-${namespaces[pair % NAMESPACES]}`;
          await apply(configMap(namespace, `cm-${pair}`));
          await objects.delete(configMap(namespace, `cm-${pair}`));
        }));
      const directCpu = process.cpuUsage(directCpuBefore);
      const directCpuMsPerRequest = (directCpu.user + directCpu.system) / 1000 / DIRECT_REQUESTS;

      // (b) one kubectl process per request, as the seed did.
      const kubectl = await kubectlCommand();
      const kubectlRate = kubectl
        ? await rate(KUBECTL_REQUESTS, CONCURRENCY, async (i) => {
            const child = spawn(
              kubectl[0] ?? "",
              [
                ...kubectl.slice(1),
                "--kubeconfig",
                cluster.kubeconfigPath,
                "apply",
                "--server-side",
                "-f",
                "-",
              ],
              { stdio: ["pipe", "ignore", "inherit"] },
            );
            child.stdin?.end(
              JSON.stringify(configMap(`direct-${namespaces[i % NAMESPACES]}`, `kubectl-${i}`)),
            );
            const [code] = (await once(child, "exit")) as [number];
            if (code !== 0) throw new Error(`kubectl exited ${code}`);
          })
        : Number.NaN;

      // nautilus-control, as its own process against the devnet.
      const client = new SuiGrpcClient({ network: "localnet", baseUrl: devnet.url });
      const [admin, operator, tenant] = [
        Ed25519Keypair.generate(),
        Ed25519Keypair.generate(),
        Ed25519Keypair.generate(),
      ];
      for (const key of [admin, operator, tenant, tenant, tenant]) {
        await requestSuiFromFaucetV2({ host: devnet.url, recipient: key.toSuiAddress() });
      }
      const enclave = loadDevEnclaveSigner(join(dir, "enclave.json"));
      const { clusterId } = await createClusterWithDevEnclave(
        client,
        devnet.packageId,
        admin,
        enclave,
        "bench",
      );
      const caps: string[] = [];
      for (const namespace of namespaces) {
        caps.push(await claimNamespace(client, devnet.packageId, clusterId, tenant, namespace));
      }
      // Request i of a run is the create (even) or the delete (odd) of object i/2 when
      // `pairs`; the tenant quota caps how many objects a namespace may hold at once.
      const tenantSubmitter = new Submitter({
        client,
        signer: tenant,
        journal: new SubmissionJournal(":memory:"),
        abortNames: abortConstantName,
      });
      let intents = 0;
      const submit = (indices: number[], prefix: string, pairs: boolean) =>
        submitSurvivingDrops(tenantSubmitter, `bench:${intents++}`, (tx) => {
          for (const i of indices) {
            const object = pairs ? Math.floor(i / 2) : i;
            const create = !pairs || i % 2 === 0;
            const namespace = namespaces[object % NAMESPACES] ?? "";
            const name = `${prefix}-${object}`;
            addCall(
              tx,
              devnet.packageId,
              "execute_k8s_api",
              {
                method: create ? "POST" : "DELETE",
                resource: "configmaps",
                namespace,
                name,
                payload: create ? JSON.stringify(configMap(namespace, name)) : "",
                priority: 1,
              },
              { cluster: clusterId, cap: caps[object % NAMESPACES] ?? "" },
              1_000_000n,
            );
          }
        });
      const dataDir = join(dir, "control");
      control = spawn(
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
          dataDir,
          "--enclave-key-file",
          join(dir, "enclave.json"),
          "--listen",
          "127.0.0.1:0",
          "--log-level",
          "error",
          "--concurrency",
          String(CONCURRENCY),
        ],
        {
          stdio: ["ignore", "ignore", "pipe"],
          env: { ...process.env, K8S_DAAS_OPERATOR_KEY: operator.getSecretKey() },
        },
      );
      const controlApi = controlTransport({
        url: await apiUrlOf(control),
        pin: { client, clusterId },
      });
      const inbox = () => new DatabaseSync(join(dataDir, "inbox.sqlite"), { readOnly: true });
      const countIn = (states: string): number => {
        try {
          const db = inbox();
          const row = db
            .prepare(`SELECT COUNT(*) AS n FROM requests WHERE state IN (${states})`)
            .get() as { n: number };
          db.close();
          return row.n;
        } catch {
          return 0; // the control plane has not created its inbox yet
        }
      };
      const finished = async (count: number) => {
        while (countIn("'done', 'reported'") < count) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };

      // One request per namespace first: provisioning a tenant namespace is a one-time cost.
      await submit(
        Array.from({ length: NAMESPACES }, (_, i) => i),
        "warm",
        false,
      );
      await finished(NAMESPACES);
      await reported(countIn, NAMESPACES);
      const before = await scrape(controlApi);
      // Throughput: 10,000 requests waiting on chain, 8 in flight.
      for (let first = 0; first < THROUGHPUT_REQUESTS; first += PER_TX) {
        await submit(
          Array.from({ length: PER_TX }, (_, k) => first + k),
          "cm",
          true,
        );
      }
      await finished(NAMESPACES + THROUGHPUT_REQUESTS);
      // Posting the results is part of a request's cost: the CPU window closes once they are
      // on chain (or after a bounded wait, counted in the note).
      const unreported = await reported(countIn, NAMESPACES + THROUGHPUT_REQUESTS);
      const after = await scrape(controlApi);
      const cpuMsPerRequest =
        ((cpuSeconds(after) - cpuSeconds(before)) * 1000) / THROUGHPUT_REQUESTS;
      const pipeline = bucketsBetween(before, after, "k8s_daas_pipeline_overhead_seconds");
      const pipelineCount = pipeline.at(-1)?.count ?? 0;
      const pipelineP50Ms = histogramQuantile(pipeline, 0.5) * 1000;
      const pipelineP99Ms = histogramQuantile(pipeline, 0.99) * 1000;
      const rssMb =
        Number(
          /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${control.pid}/status`, "utf8"))?.[1] ??
            Number.NaN,
        ) / 1024;

      const db = inbox();
      const rows = db
        .prepare(
          "SELECT name, received_at_ms, finished_at_ms FROM requests WHERE state IN ('done', 'reported')",
        )
        .all() as { name: string; received_at_ms: number; finished_at_ms: number }[];
      db.close();
      const bulk = rows.filter((r) => r.name.startsWith("cm-"));
      const span =
        Math.max(...bulk.map((r) => r.finished_at_ms)) -
        Math.min(...bulk.map((r) => r.received_at_ms));
      const controlRate = bulk.length / (span / 1000);
      return [
        {
          suite: "control",
          metric: "throughput_req_per_s",
          value: controlRate,
          unit: "req/s",
          note: `${bulk.length} requests, ${CONCURRENCY} in flight`,
        },
        {
          suite: "control",
          metric: "direct_req_per_s",
          value: directRate,
          unit: "req/s",
          note: "baseline: client-node SSA, same concurrency",
        },
        {
          suite: "control",
          metric: "kubectl_req_per_s",
          value: kubectlRate,
          unit: "req/s",
          note: kubectl ? "baseline: one kubectl process per request" : "kubectl unavailable",
        },
        {
          suite: "control",
          metric: "throughput_ratio_vs_direct",
          value: controlRate / directRate,
          unit: "ratio",
          note: "goal >= 0.85",
        },
        {
          suite: "control",
          metric: "speedup_vs_kubectl",
          value: controlRate / kubectlRate,
          unit: "x",
          note: "goal >= 20",
        },
        {
          suite: "control",
          metric: "cpu_ms_per_request",
          value: cpuMsPerRequest,
          unit: "ms",
          note: `daemon user+system CPU / ${THROUGHPUT_REQUESTS} requests, results posted${unreported > 0 ? ` (${unreported} not yet)` : ""}`,
        },
        {
          suite: "control",
          metric: "direct_cpu_ms_per_request",
          value: directCpuMsPerRequest,
          unit: "ms",
          note: "baseline: client-node's own CPU per direct request",
        },
        {
          suite: "control",
          metric: "pipeline_p50_ms",
          value: pipelineP50Ms,
          unit: "ms",
          note: `pipeline's own share per request (histogram, ${pipelineCount} requests)`,
        },
        {
          suite: "control",
          metric: "pipeline_p99_ms",
          value: pipelineP99Ms,
          unit: "ms",
          note: "goal <= 5",
        },
        {
          suite: "control",
          metric: "rss_mb",
          value: rssMb,
          unit: "MB",
          note: `after ${NAMESPACES + THROUGHPUT_REQUESTS} requests; goal <= 160`,
        },
      ];
    } finally {
      control?.kill("SIGTERM");
      if (control && control.exitCode === null) await once(control, "exit");
      await devnet.stop();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** Runs `count` operations with `concurrency` in flight; returns operations per second. */
async function rate(
  count: number,
  concurrency: number,
  operation: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await operation(i);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/**
 * The bench's own transactions must survive a dropped connection to a loaded devnet. The
 * grpc-web transport reports one as RpcError INTERNAL "fetch failed", which the Submitter
 * journals as a rejection; a repeat of the intent looks its digest up first and re-sends the
 * same bytes, so nothing is submitted twice.
 */
async function submitSurvivingDrops(
  submitter: Submitter,
  intentKey: string,
  build: (tx: Transaction) => void,
): Promise<SubmissionResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await submitter.submit(intentKey, build);
    } catch (error) {
      if (attempt >= 5 || !/fetch failed/.test(String(error))) throw error;
      process.stderr.write(`bench: ${intentKey}: connection dropped; submitting it again\n`);
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** The daemon's CPU time so far (prom-client's process.cpuUsage(): user + system). */
function cpuSeconds(samples: Scrape): number {
  return (
    sampleValue(samples, "process_cpu_user_seconds_total") +
    sampleValue(samples, "process_cpu_system_seconds_total")
  );
}

/**
 * Waits until `count` requests are reported on chain, for at most a minute past the last
 * progress; returns how many are still unreported then.
 */
async function reported(countIn: (states: string) => number, count: number): Promise<number> {
  let last = -1;
  let since = performance.now();
  for (;;) {
    const n = countIn("'reported'");
    if (n >= count) return 0;
    if (n !== last) {
      last = n;
      since = performance.now();
    } else if (performance.now() - since > 60_000) {
      return count - n;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The daemon's API URL, from the line it prints once serving; every stderr line is passed
 * on, so its errors still show.
 */
async function apiUrlOf(daemon: ChildProcess): Promise<string> {
  const stderr = daemon.stderr;
  if (!stderr) throw new Error("the daemon's stderr is not piped");
  const lines = createInterface({ input: stderr });
  return new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      process.stderr.write(`${line}\n`);
      const url = /; API (https?:\/\/\S+)/.exec(line)?.[1];
      if (url) resolve(url);
    });
    daemon.once("exit", (code) =>
      reject(new Error(`nautilus-control exited (${code}) before serving`)),
    );
  });
}
