import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type KubernetesObject, KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import { requestSuiFromFaucetV2 } from "@mysten/sui/faucet";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import {
  addCall,
  claimNamespace,
  createClusterWithDevEnclave,
  executeSigned as execute,
} from "../../src/chain/k8s-daas.ts";
import { startDevnetProcess } from "../../src/devnet/spawn.ts";
import { ensureBuilt, startCluster } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import { loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { type Figure, percentile, type Suite } from "../report.ts";

/** The production launcher of the daemon (it bounds its own heap). */
const DAEMON = fileURLToPath(new URL("../../bin/nautilus-control.ts", import.meta.url));
const NAMESPACES = 8;
const CONCURRENCY = 8;
/** Override with BENCH_CONTROL_REQUESTS for a quicker run (the goals are stated for 10,000). */
const THROUGHPUT_REQUESTS = Number(process.env.BENCH_CONTROL_REQUESTS ?? 10_000);
const DIRECT_REQUESTS = 2_000;
const KUBECTL_REQUESTS = 80;
const LATENCY_REQUESTS = 150;
const PER_TX = 100;
const run = promisify(execFile);

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
 * `kubectl apply --server-side` process per request. Throughput with 8 requests in flight;
 * added latency measured one request at a time (no queueing), as the control plane's own
 * ingest→outcome time minus the direct call's time.
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

      // (a) direct: the limit.
      const directLatencies: number[] = [];
      for (let i = 0; i < LATENCY_REQUESTS; i++) {
        const started = performance.now();
        await apply(configMap(`direct-${namespaces[0]}`, `lat-${i}`));
        directLatencies.push(performance.now() - started);
      }
      // The workload is create/delete pairs (a tenant quota caps live objects per namespace).
      const directRate =
        2 *
        (await rate(DIRECT_REQUESTS / 2, CONCURRENCY, async (pair) => {
          const namespace = `direct-${namespaces[pair % NAMESPACES]}`;
          await apply(configMap(namespace, `cm-${pair}`));
          await objects.delete(configMap(namespace, `cm-${pair}`));
        }));

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
      const submit = (indices: number[], prefix: string, pairs: boolean) =>
        execute(client, tenant, (tx) => {
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
          stdio: ["ignore", "ignore", "inherit"],
          env: { ...process.env, K8S_DAAS_OPERATOR_KEY: operator.getSecretKey() },
        },
      );
      const inbox = () => new DatabaseSync(join(dataDir, "inbox.sqlite"), { readOnly: true });
      const finished = async (count: number) => {
        for (;;) {
          try {
            const db = inbox();
            const row = db
              .prepare("SELECT COUNT(*) AS n FROM requests WHERE state IN ('done', 'reported')")
              .get() as { n: number };
            db.close();
            if (row.n >= count) return;
          } catch {
            // the control plane has not created its inbox yet
          }
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
      // Latency: one request at a time, so no time is spent queueing.
      for (let i = 0; i < LATENCY_REQUESTS; i++) {
        await submit([i], "lat", false);
        await finished(NAMESPACES + i + 1);
      }
      // Throughput: 10,000 requests waiting on chain, 8 in flight.
      for (let first = 0; first < THROUGHPUT_REQUESTS; first += PER_TX) {
        await submit(
          Array.from({ length: PER_TX }, (_, k) => first + k),
          "cm",
          true,
        );
      }
      await finished(NAMESPACES + LATENCY_REQUESTS + THROUGHPUT_REQUESTS);
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
      const latency = rows
        .filter((r) => r.name.startsWith("lat-"))
        .map((r) => r.finished_at_ms - r.received_at_ms);
      const bulk = rows.filter((r) => r.name.startsWith("cm-"));
      const span =
        Math.max(...bulk.map((r) => r.finished_at_ms)) -
        Math.min(...bulk.map((r) => r.received_at_ms));
      const controlRate = bulk.length / (span / 1000);
      const addedP50 = percentile(latency, 50) - percentile(directLatencies, 50);
      const addedP99 = percentile(latency, 99) - percentile(directLatencies, 99);
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
          note: "goal >= 0.8",
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
          metric: "p50_added_ms",
          value: addedP50,
          unit: "ms",
          note: "ingest→outcome minus direct call, p50",
        },
        {
          suite: "control",
          metric: "p99_added_ms",
          value: addedP99,
          unit: "ms",
          note: "goal <= 25",
        },
        {
          suite: "control",
          metric: "rss_mb",
          value: rssMb,
          unit: "MB",
          note: `after ${LATENCY_REQUESTS + THROUGHPUT_REQUESTS} requests; goal <= 200`,
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

/** kubectl from PATH, else the one built into kube-testenv. */
async function kubectlCommand(): Promise<string[] | undefined> {
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
