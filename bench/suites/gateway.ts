import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";
import { join } from "node:path";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { startCluster } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import { openGatewayRig } from "../../test/gateway/fixture.ts";
import { type Figure, percentile, type Suite } from "../report.ts";

/** Override with BENCH_GATEWAY_SAMPLES (reads take 10× as many). */
const SAMPLES = Number(process.env.BENCH_GATEWAY_SAMPLES ?? 20);
const LISTED = 20;
const WATCHED = 200;

/**
 * `k8s-daas proxy` against the same API server sent to directly, in the same run: a GET and
 * a LIST (raw HTTP both ways, alternating), `kubectl apply` of a changed ConfigMap through
 * the chain vs straight to the API server, and how fast watch events stream through the
 * gateway (events of writes made directly, counted as they arrive at each watcher).
 */
export const gatewaySuite: Suite = {
  name: "gateway",
  description: `kubectl through k8s-daas proxy vs the API server direct (${SAMPLES} applies)`,
  async run(): Promise<Figure[]> {
    if (!Number.isInteger(SAMPLES) || SAMPLES < 2 || SAMPLES > 500) {
      throw new Error(`BENCH_GATEWAY_SAMPLES must be a whole number 2..500, got ${SAMPLES}`);
    }
    const cluster = await startCluster({
      dataDir: join(repoRoot, ".data", "bench-cluster"),
      nodes: 3,
    });
    const kubeConfig = cluster.kubeConfig();
    const rig = await openGatewayRig("bench-gw", kubeConfig);
    try {
      const ns = rig.tenant.namespace;
      const first = await rig.kubectl([
        "create",
        "-f",
        join(repoRoot, "test", "fixtures", "gateway", "settings", "a.yaml"),
      ]);
      if (first.code !== 0) throw new Error(`kubectl create through the gateway: ${first.stderr}`);
      const core = kubeConfig.makeApiClient(CoreV1Api);
      for (let i = 0; i < LISTED; i++) {
        await core.createNamespacedConfigMap({
          namespace: ns,
          body: { metadata: { name: `listed-${i}` }, data: { i: String(i) } },
        });
      }
      const direct = await directRequester(kubeConfig);
      // Kept-alive connections both ways, as kubectl keeps them.
      const gatewayAgent = new HttpAgent({ keepAlive: true });
      const viaGateway = (path: string) =>
        timedGet(httpRequest, new URL(path, rig.gateway.url), { agent: gatewayAgent });
      const one = `/api/v1/namespaces/${ns}/configmaps/listed-0`;
      const list = `/api/v1/namespaces/${ns}/configmaps`;
      const reads = { get: [[], []] as number[][], list: [[], []] as number[][] };
      for (let i = 0; i < SAMPLES * 10; i++) {
        reads.get[0]?.push(await viaGateway(one));
        reads.get[1]?.push(await direct(one));
        reads.list[0]?.push(await viaGateway(list));
        reads.list[1]?.push(await direct(list));
      }

      const manifest = join(rig.workDir, "bench-cm.yaml");
      const applyMs = async (kubeconfig: string, i: number) => {
        writeFileSync(
          manifest,
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  sample: "${i}"\n`,
        );
        const started = performance.now();
        const child = spawn(
          rig.tools,
          ["kubectl", "--kubeconfig", kubeconfig, "-n", ns, "apply", "-f", manifest],
          {
            stdio: ["ignore", "ignore", "pipe"],
          },
        );
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const [code] = (await once(child, "exit")) as [number | null];
        if (code !== 0) throw new Error(`kubectl apply: ${stderr}`);
        return performance.now() - started;
      };
      const applies: number[] = [];
      const directApplies: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        applies.push(await applyMs(rig.kubeconfig, i));
        directApplies.push(await applyMs(cluster.kubeconfigPath, i));
      }

      // Events of one ConfigMap changed WATCHED times (the namespace's quota caps how many
      // objects it may hold), counted as they arrive at the watcher.
      const watchRate = async (open: (path: string) => Promise<NodeJS.ReadableStream>) => {
        const name = `burst-${Date.now().toString(36)}`;
        const created = await core.createNamespacedConfigMap({
          namespace: ns,
          body: { metadata: { name }, data: { n: "0" } },
        });
        const stream = await open(
          `/api/v1/namespaces/${ns}/configmaps?watch=true&fieldSelector=metadata.name%3D${name}&resourceVersion=${created.metadata?.resourceVersion}`,
        );
        let seen = 0;
        let started = 0;
        let pending = "";
        const done = new Promise<number>((resolve) => {
          stream.on("data", (chunk: Buffer) => {
            pending += chunk.toString();
            const lines = pending.split("\n");
            pending = lines.pop() ?? "";
            seen += lines.filter((line) => line.includes('"MODIFIED"')).length;
            if (seen >= WATCHED) resolve(performance.now() - started);
          });
        });
        started = performance.now();
        for (let i = 1; i <= WATCHED; i++) {
          await core.replaceNamespacedConfigMap({
            name,
            namespace: ns,
            body: { metadata: { name }, data: { n: String(i) } },
          });
        }
        const ms = await done;
        (stream as unknown as { destroy(): void }).destroy();
        await core.deleteNamespacedConfigMap({ name, namespace: ns });
        return (WATCHED / ms) * 1000;
      };
      const gatewayWatch = await watchRate((path) =>
        openStream(httpRequest, new URL(path, rig.gateway.url), {}),
      );
      const directWatch = await watchRate((path) => direct.stream(path));

      const p50 = (values: number[] | undefined) => percentile(values ?? [], 50);
      return [
        figure("get_p50_ms", p50(reads.get[0]), "ms", `direct ${p50(reads.get[1]).toFixed(2)} ms`),
        figure(
          "list_p50_ms",
          p50(reads.list[0]),
          "ms",
          `${LISTED + 1} ConfigMaps; direct ${p50(reads.list[1]).toFixed(2)} ms`,
        ),
        figure(
          "apply_p50_ms",
          percentile(applies, 50),
          "ms",
          `direct kubectl apply ${percentile(directApplies, 50).toFixed(0)} ms`,
        ),
        figure(
          "apply_p99_ms",
          percentile(applies, 99),
          "ms",
          `direct kubectl apply ${percentile(directApplies, 99).toFixed(0)} ms`,
        ),
        figure(
          "watch_events_per_s",
          gatewayWatch,
          "events/s",
          `direct watch ${directWatch.toFixed(0)} events/s (bound by the writer)`,
        ),
      ];
    } finally {
      await rig.close();
    }
  },
};

function figure(metric: string, value: number, unit: string, note: string): Figure {
  return { suite: "gateway", metric, value: Math.round(value * 100) / 100, unit, note };
}

type Send = typeof httpRequest;

function openStream(send: Send, url: URL, options: RequestOptions): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    const req = send(url, options, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${url.pathname}: HTTP ${res.statusCode}`));
      else resolve(res);
    });
    req.on("error", reject);
    req.end();
  });
}

async function timedGet(send: Send, url: URL, options: RequestOptions): Promise<number> {
  const started = performance.now();
  const stream = await openStream(send, url, options);
  for await (const _ of stream) {
    // read it all
  }
  return performance.now() - started;
}

/** Raw HTTPS to the API server with the admin credentials (no client library in the way). */
async function directRequester(kubeConfig: KubeConfig) {
  const options: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  options.agent = new HttpsAgent({ keepAlive: true });
  const server = kubeConfig.getCurrentCluster()?.server ?? "";
  const get = (path: string) => timedGet(httpsRequest as Send, new URL(path, server), options);
  return Object.assign(get, {
    stream: (path: string) => openStream(httpsRequest as Send, new URL(path, server), options),
  });
}
