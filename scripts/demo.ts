// npm start: brings up the local stack (or uses the one already running) and walks through
// the tenant's path step by step: claim a namespace → create a pod → see it Running in the
// cluster → see its result event on chain. A stack it started keeps running afterwards, in
// the foreground, until Ctrl-C (which stops everything); a stack it found running is left as
// it was.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { createSuiClient } from "../src/chain/index.ts";
import { ResultWatcher } from "../src/chain/results.ts";
import type { CliContext } from "../src/cli/context.ts";
import { DEFAULT_DATA_DIR } from "../src/cli/context.ts";

const BIN = join(import.meta.dirname, "..", "bin", "k8s-daas.ts");
/** `K8S_DAAS_DEMO_NAMESPACE` picks another, e.g. on a shared cluster that already has "demo". */
const NAMESPACE = process.env.K8S_DAAS_DEMO_NAMESPACE || "demo";
const IMAGE = "nginxinc/nginx-unprivileged:1.27";
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function step(number: number, title: string): void {
  say();
  say(bold(`── step ${number}: ${title}`));
}

/** Runs one k8s-daas command the way a user would type it, showing the command line. */
async function k8sDaas(args: string[], capture = false): Promise<{ code: number; stdout: string }> {
  say(`$ k8s-daas ${args.join(" ")}`);
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ["ignore", capture ? "pipe" : "inherit", "inherit"],
  });
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code: code ?? 1, stdout };
}

async function must(args: string[], capture = false): Promise<string> {
  const run = await k8sDaas(args, capture);
  if (run.code !== 0) throw new Error(`k8s-daas ${args[0]} failed (exit ${run.code})`);
  return run.stdout;
}

/** The stack recorded in .data/context.json, if its `up` process still answers. */
async function runningStack(): Promise<CliContext | undefined> {
  const file = join(DEFAULT_DATA_DIR, "context.json");
  if (!existsSync(file)) return undefined;
  const context = JSON.parse(readFileSync(file, "utf8")) as CliContext;
  if (!context.pid || !context.controlUrl) return undefined;
  try {
    process.kill(context.pid, 0);
    const health = await fetch(`${context.controlUrl}/healthz`, {
      signal: AbortSignal.timeout(2_000),
    });
    return health.ok ? context : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `k8s-daas up` with its progress on this terminal; resolves once it is ready. */
async function startStack(): Promise<{ context: CliContext; up: ChildProcess }> {
  say(bold("Starting the local stack: devnet, Kubernetes, cluster object, nautilus-control."));
  say("(The first run builds kube-testenv from Go; that takes many minutes and prints progress.)");
  const up = spawn(process.execPath, [BIN, "up", "-o", "json"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: up.stdout as NodeJS.ReadableStream });
  const context = await new Promise<CliContext>((resolve, reject) => {
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line) as CliContext & { event?: string };
        if (parsed.event === "stack.ready") resolve(parsed);
      } catch {
        // progress, not the ready line
      }
    });
    up.once("exit", (code) =>
      reject(new Error(`k8s-daas up exited with ${code} before it was ready`)),
    );
  });
  return { context, up };
}

async function demo(context: CliContext): Promise<void> {
  step(1, `claim the namespace "${NAMESPACE}" (a NamespaceCap object, owned by your key)`);
  const held = JSON.parse(await must(["namespace", "list", "-o", "json"], true)) as {
    namespace: string;
  }[];
  if (held.some((entry) => entry.namespace === NAMESPACE))
    say(`you already hold "${NAMESPACE}" (from an earlier run)`);
  else await must(["namespace", "claim", NAMESPACE]);

  step(
    2,
    "create a pod: a Sui transaction with a K8sAPIRequestEvent, executed by nautilus-control",
  );
  const created = JSON.parse(
    await must(
      ["pod", "create", "web", "--image", IMAGE, "--port", "8080", "-n", NAMESPACE, "-o", "json"],
      true,
    ),
  ) as { requestId: string; summary: string; submittedTx: string; resultTx: string }[];
  const request = created[0];
  if (!request) throw new Error("pod create printed no outcome");
  say(`request ${request.requestId}: ${request.summary}`);
  say(`  submitted in transaction ${request.submittedTx}`);

  step(3, "see it Running in the cluster (read with the cluster's admin kubeconfig, like kubectl)");
  if (context.kubeconfig) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(context.kubeconfig);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    for (let attempt = 0; ; attempt++) {
      const pod = await core.readNamespacedPod({ name: "web", namespace: NAMESPACE });
      if (pod.status?.phase === "Running" || attempt >= 60) {
        say(
          `pod ${NAMESPACE}/web is ${pod.status?.phase} on node ${pod.spec?.nodeName}, runAsNonRoot=${pod.spec?.securityContext?.runAsNonRoot}`,
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  await must(["get", "pods", "-n", NAMESPACE]);

  step(4, "see the result on chain (K8sAPIResultEvent, signed by the enclave key)");
  const watcher = new ResultWatcher(
    createSuiClient(context.network),
    context.packageId,
    context.clusterId,
  );
  const [result] = await watcher.waitFor([BigInt(request.requestId)]);
  if (result) {
    say(`K8sAPIResultEvent in transaction ${result.txDigest}:`);
    say(
      `  request_id ${result.event.request_id}, status_code ${result.event.status_code}, summary "${result.event.summary}"`,
    );
    say(
      `  output_sha256 ${Buffer.from(result.event.output_sha256).toString("hex")} (the full output: k8s-daas result ${request.requestId})`,
    );
  }

  say();
  say(bold("Done. Try next:"));
  say(`  k8s-daas deploy api --image ${IMAGE} --replicas 3 -n ${NAMESPACE}`);
  say(`  k8s-daas get deployments -n ${NAMESPACE}`);
  say("  k8s-daas requests");
  say(`  k8s-daas result ${request.requestId}`);
  say("  k8s-daas cluster status");
  if (context.kubeconfig) say(`  kubectl --kubeconfig ${context.kubeconfig} get pods -A`);
  say("  (run them with: node bin/k8s-daas.ts …, or npx k8s-daas …)");
}

async function main(): Promise<number> {
  const running = await runningStack();
  if (running) {
    say(bold(`Using the local stack already running (pid ${running.pid}).`));
    await demo(running);
    return 0;
  }
  const { context, up } = await startStack();
  // Ctrl-C reaches `up` too (same process group); it stops everything and exits.
  const exited = once(up, "exit") as Promise<[number | null]>;
  let interrupted = false;
  process.on("SIGINT", () => {
    interrupted = true;
  });
  try {
    await demo(context);
  } catch (error) {
    up.kill("SIGINT");
    await exited;
    // Ctrl-C stopped the step's command too: that is the user's choice, not a failure.
    if (interrupted) {
      say("demo interrupted; the stack is stopped");
      return 130;
    }
    throw error;
  }
  say();
  say(
    bold(
      `The stack keeps running in this terminal. Ctrl-C stops it (data stays in ${relative(process.cwd(), DEFAULT_DATA_DIR) || "."}).`,
    ),
  );
  const [code] = await exited;
  return code ?? 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  // What failed was printed above by the command itself; this names the step's end.
  process.stderr.write(`demo stopped: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
