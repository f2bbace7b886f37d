import { spawn } from "node:child_process";
import { once } from "node:events";
import { appendFile, readFile } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { CoreV1Api } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { signedHeaders } from "../../src/control/http/auth.ts";
import { ensureTenantNamespace } from "../../src/k8s/index.ts";
import { clusterLayout, criLogLine, startCluster } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import type { Figure, Suite } from "../report.ts";

const FOLLOWERS = 50;
const LINES = 2_000;
const CLUSTER = `0x${"be".repeat(32)}`;
const SERVER = fileURLToPath(new URL("./streams-server.ts", import.meta.url));

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

export const streamsSuite: Suite = {
  name: "streams",
  description: `${FOLLOWERS} log followers of one pod through the streams API: RSS growth of its process`,
  async run(): Promise<Figure[]> {
    const dataDir = join(repoRoot, ".data", "bench-cluster");
    const cluster = await startCluster({ dataDir, nodes: 1 });
    const kc = cluster.kubeConfig();
    const owner = Ed25519Keypair.generate();
    const namespace = `bench-streams-${Date.now().toString(36)}`;
    await ensureTenantNamespace(kc, {
      namespace,
      owner: owner.toSuiAddress(),
      clusterId: CLUSTER,
      claimId: `0x${"01".repeat(32)}`,
    });
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "chatty", namespace },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "app",
              image: "registry.k8s.io/pause:3.10",
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                runAsNonRoot: true,
                runAsUser: 65532,
                seccompProfile: { type: "RuntimeDefault" },
              },
            },
          ],
        },
      },
    });
    while (
      (await core.readNamespacedPod({ namespace, name: "chatty" })).status?.phase !== "Running"
    )
      await sleep(200);
    const logFile = clusterLayout(dataDir).simulatedContainerLog;
    const server = spawn(process.execPath, [SERVER], {
      env: {
        ...process.env,
        STREAMS_BENCH_KUBECONFIG: clusterLayout(dataDir).adminKubeconfig,
        STREAMS_BENCH_NAMESPACE: namespace,
        STREAMS_BENCH_OWNER: owner.toSuiAddress(),
        STREAMS_BENCH_CLUSTER: CLUSTER,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const followers: IncomingMessage[] = [];
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: server.stdout }).once("line", resolve);
        server.once("exit", (code) => reject(new Error(`streams server exited (${code})`)));
      });
      const follow = async (tail: number): Promise<IncomingMessage> => {
        const target = `${url}/v1/namespaces/${namespace}/pods/chatty/log?follow=true&tail=${tail}`;
        const headers = await signedHeaders(owner, {
          clusterId: CLUSTER,
          method: "GET",
          url: target,
        });
        return new Promise((resolve, reject) => {
          const req = httpRequest(target, { headers }, resolve);
          req.on("error", reject);
          req.end();
        });
      };
      const pid = server.pid ?? 0;
      // Warm up: one follower end to end, so code paths are loaded before the baseline.
      await appendFile(logFile, criLogLine("warm-up"));
      const warm = await follow(1);
      warm.resume();
      warm.destroy();
      await sleep(1_000);
      const before = await rssMb(pid);
      let received = 0;
      await appendFile(logFile, criLogLine("start"));
      for (let i = 0; i < FOLLOWERS; i++) {
        const res = await follow(1);
        res.on("data", (chunk: Buffer) => {
          received += chunk.length;
        });
        followers.push(res);
      }
      const line = `${"x".repeat(100)}\n`;
      for (let i = 0; i < LINES; i += 100) {
        await appendFile(
          logFile,
          Array.from({ length: 100 }, () => criLogLine(line.trim())).join(""),
        );
        await sleep(20);
      }
      const expected = FOLLOWERS * LINES * line.length;
      const started = performance.now();
      while (received < expected && performance.now() - started < 60_000) await sleep(100);
      const after = await rssMb(pid);
      return [
        {
          suite: "streams",
          metric: "rss_mb_50_followers",
          value: after - before,
          unit: "MB",
          note: `RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MB with ${FOLLOWERS} followers, ${received} of ${expected} bytes delivered (goal: growth <= 50 MB)`,
        },
      ];
    } finally {
      for (const res of followers) res.destroy();
      server.kill("SIGTERM");
      if (server.exitCode === null) await once(server, "exit");
      await cluster.stop();
    }
  },
};
