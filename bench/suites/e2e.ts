import { spawn } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startCluster } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import { podManifest } from "../../src/protocol/index.ts";
import { type CliRun, runCli, startUp, tempDataDir } from "../../test/cli/harness.ts";
import { kubectlCommand } from "../kubectl.ts";
import { type Figure, percentile, type Suite } from "../report.ts";

/** Override with BENCH_E2E_SAMPLES. */
const SAMPLES = Number(process.env.BENCH_E2E_SAMPLES ?? 30);
const MAX_SAMPLES = 500;
/**
 * Pods per tenant namespace, the warm-up pod included: the default quota's 8 CPUs of limits
 * hold 16 pods at the admission default of 500m each.
 */
const PODS_PER_NAMESPACE = 15;
const IMAGE = "nginxinc/nginx-unprivileged:1.27";

/**
 * What a tenant waits for: `k8s-daas pod create` as its own process, from start to exit with
 * the result read on chain (submit, devnet, nautilus-control, Kubernetes, the signed result,
 * the CLI's poll), against a stack started by `k8s-daas up`. Beside it, in the same run and
 * alternating sample by sample, `kubectl apply` of the same pod sent directly to the same API
 * server, and the CLI starting and printing its help (no chain). The control plane's own
 * view (request ingested → result confirmed on chain) comes from its inbox.
 */
export const e2eSuite: Suite = {
  name: "e2e",
  description: `${SAMPLES} pod creates through k8s-daas up (CLI to result) vs kubectl apply direct`,
  async run(): Promise<Figure[]> {
    if (!Number.isInteger(SAMPLES) || SAMPLES < 1 || SAMPLES > MAX_SAMPLES) {
      throw new Error(`BENCH_E2E_SAMPLES must be a whole number 1..${MAX_SAMPLES}, got ${SAMPLES}`);
    }
    const kubectl = await kubectlCommand();
    if (!kubectl) throw new Error("no kubectl: neither on PATH nor in kube-testenv");
    const cluster = await startCluster({
      dataDir: join(repoRoot, ".data", "bench-cluster"),
      nodes: 3,
    });
    const dataDir = tempDataDir("k8s-daas-bench-e2e-");
    let stack: Awaited<ReturnType<typeof startUp>> | undefined;
    try {
      stack = await startUp(dataDir, cluster.kubeconfigPath);
      const env = stack.env;
      const cli = async (args: string[]): Promise<number> => {
        const started = performance.now();
        const result = await runCli(args, { env });
        const ms = performance.now() - started;
        check(`k8s-daas ${args.join(" ")}`, result);
        return ms;
      };
      const direct = async (args: string[], input = ""): Promise<number> => {
        const started = performance.now();
        const child = spawn(
          kubectl[0] ?? "",
          [...kubectl.slice(1), "--kubeconfig", cluster.kubeconfigPath, ...args],
          { stdio: ["pipe", "ignore", "pipe"] },
        );
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.stdin.end(input);
        const [code] = (await once(child, "exit")) as [number | null];
        const ms = performance.now() - started;
        check(`kubectl ${args.join(" ")}`, { code, stdout: "", stderr });
        return ms;
      };

      const stamp = Date.now().toString(36);
      const namespaces = Array.from(
        { length: Math.ceil(SAMPLES / (PODS_PER_NAMESPACE - 1)) },
        (_, i) => `e2e-${stamp}-${i}`,
      );
      const namespaceOf = (sample: number) =>
        namespaces[Math.floor(sample / (PODS_PER_NAMESPACE - 1))] ?? "";
      const directNamespace = `e2e-direct-${stamp}`;
      // One-time costs first: claiming and provisioning the tenant namespaces, creating the
      // direct one.
      for (const namespace of namespaces) {
        await cli(["namespace", "claim", namespace]);
        await cli(["pod", "create", "warm", "--image", IMAGE, "-n", namespace]);
      }
      await direct(["create", "namespace", directNamespace]);
      await direct(["apply", "-f", "-"], podManifest("warm", directNamespace, IMAGE));

      const podCreate: number[] = [];
      const kubectlApply: number[] = [];
      const cliHelp: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const name = `p-${i}`;
        podCreate.push(await cli(["pod", "create", name, "--image", IMAGE, "-n", namespaceOf(i)]));
        kubectlApply.push(
          await direct(["apply", "-f", "-"], podManifest(name, directNamespace, IMAGE)),
        );
        cliHelp.push(await cli(["--help"]));
      }

      const db = new DatabaseSync(join(dataDir, "control", "inbox.sqlite"), { readOnly: true });
      const rows = db
        .prepare(
          "SELECT received_at_ms, reported_at_ms FROM requests WHERE name LIKE 'p-%' AND reported_at_ms IS NOT NULL",
        )
        .all() as { received_at_ms: number; reported_at_ms: number }[];
      db.close();
      const inboxToReported = rows.map((row) => row.reported_at_ms - row.received_at_ms);

      const samples = `${SAMPLES} samples`;
      return [
        {
          suite: "e2e",
          metric: "pod_create_p50_ms",
          value: percentile(podCreate, 50),
          unit: "ms",
          note: `k8s-daas pod create, process start to result on chain, ${samples}`,
        },
        {
          suite: "e2e",
          metric: "pod_create_p99_ms",
          value: percentile(podCreate, 99),
          unit: "ms",
          note: SAMPLES < 100 ? "nearest rank: the slowest sample" : "",
        },
        {
          suite: "e2e",
          metric: "kubectl_apply_p50_ms",
          value: percentile(kubectlApply, 50),
          unit: "ms",
          note: `baseline: kubectl apply of the same pod, same API server, ${samples}`,
        },
        {
          suite: "e2e",
          metric: "kubectl_apply_p99_ms",
          value: percentile(kubectlApply, 99),
          unit: "ms",
          note: SAMPLES < 100 ? "nearest rank: the slowest sample" : "",
        },
        {
          suite: "e2e",
          metric: "cli_help_p50_ms",
          value: percentile(cliHelp, 50),
          unit: "ms",
          note: "k8s-daas --help: the CLI process alone, no chain",
        },
        {
          suite: "e2e",
          metric: "inbox_to_reported_p50_ms",
          value: percentile(inboxToReported, 50),
          unit: "ms",
          note: `nautilus-control: event ingested → result confirmed on chain (${inboxToReported.length} requests)`,
        },
      ];
    } finally {
      const stopped = await stack?.stop();
      if (stopped && stopped.code !== 0) process.stderr.write(stopped.stderr);
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

function check(what: string, result: CliRun): void {
  if (result.code === 0) return;
  throw new Error(`${what} exited with ${result.code}:\n${result.stderr}`);
}
