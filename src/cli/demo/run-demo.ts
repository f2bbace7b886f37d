// `k8s-daas demo` (and `npm start`): brings up the local stack (or uses the one already
// running) and walks through the tenant's path step by step: claim a namespace → create a
// pod → see it Running in the cluster → see its result event on chain. Each step runs this
// same k8s-daas as its own process, the way a user would type it. A stack the demo started
// keeps running afterwards, in the foreground, until Ctrl-C (which stops everything) unless
// --stop; a stack it found running is left as it was.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { controlTransport, createSuiClient } from "../../chain/index.ts";
import { ResultWatcher } from "../../chain/results.ts";
import { moduleBeside, runsFromSource } from "../../install/index.ts";
import { type ParsedArgs, stringFlag } from "../command.ts";
import { type ContextEntry, loadConfig } from "../config/index.ts";
import { DEFAULT_DATA_DIR } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";

const BIN = moduleBeside(import.meta.url, "../../../bin/k8s-daas");
const IMAGE = "nginxinc/nginx-unprivileged:1.27";
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

/** The stack the demo works on: its context (by name) and what that context holds. */
interface DemoStack {
  context: string;
  entry: ContextEntry;
}

function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function step(number: number, title: string): void {
  say();
  say(bold(`── step ${number}: ${title}`));
}

function stepFailed(message: string): CliError {
  return new CliError("DEMO_STEP_FAILED", message, {
    hint: "the command's own error is printed above",
  });
}

export async function runDemo({ values }: ParsedArgs): Promise<number> {
  const namespace =
    stringFlag(values, "namespace") ?? (process.env.K8S_DAAS_DEMO_NAMESPACE || "demo");
  const running = await runningStack();
  if (running) {
    say(bold(`Using the local stack already running (context "${running.context}").`));
    await demo(running, namespace);
    return EXIT.ok;
  }
  // Ctrl-C reaches `up` too (same process group): it stops everything and exits, and the
  // demo waits for that rather than leave it halfway (even while it starts).
  let interrupted = false;
  const ignoreInterrupt = () => {
    interrupted = true;
  };
  process.on("SIGINT", ignoreInterrupt);
  try {
    const { stack, up } = await startStack();
    const exited = once(up, "exit") as Promise<[number | null]>;
    try {
      await demo(stack, namespace);
    } catch (error) {
      up.kill("SIGINT");
      await exited;
      // Ctrl-C stopped the step's command too: the user's choice, not a failed step.
      if (interrupted) {
        say("demo interrupted; the stack is stopped");
        return EXIT.interrupted;
      }
      throw error;
    }
    say();
    if (values.stop === true) {
      say(bold("Done; stopping the stack the demo started (--stop)."));
      up.kill("SIGINT");
    } else {
      say(
        bold(
          `The stack keeps running in this terminal. Ctrl-C stops it (data stays in ${relative(process.cwd(), DEFAULT_DATA_DIR) || "."}).`,
        ),
      );
    }
    const [code] = await exited;
    return code ?? EXIT.failure;
  } finally {
    process.off("SIGINT", ignoreInterrupt);
  }
}

/** Runs one k8s-daas command the way a user would type it, showing the command line. */
async function k8sDaas(
  stack: DemoStack,
  args: string[],
  capture = false,
): Promise<{ code: number; stdout: string }> {
  say(`$ k8s-daas ${args.join(" ")}`);
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, K8S_DAAS_CONTEXT: stack.context },
    stdio: ["ignore", capture ? "pipe" : "inherit", "inherit"],
  });
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code: code ?? 1, stdout };
}

async function must(stack: DemoStack, args: string[], capture = false): Promise<string> {
  const run = await k8sDaas(stack, args, capture);
  if (run.code !== 0) throw stepFailed(`k8s-daas ${args[0]} failed (exit ${run.code})`);
  return run.stdout;
}

/**
 * A context written by an `up` from this data dir whose process still runs (its up.pid) and
 * whose control plane answers.
 */
async function runningStack(): Promise<DemoStack | undefined> {
  const pidFile = join(DEFAULT_DATA_DIR, "up.pid");
  if (!existsSync(pidFile)) return undefined;
  try {
    process.kill(Number(readFileSync(pidFile, "utf8").trim()), 0);
  } catch {
    return undefined;
  }
  for (const [context, entry] of Object.entries(loadConfig().config.contexts)) {
    if (entry.dataDir !== DEFAULT_DATA_DIR || !entry.controlUrl) continue;
    if (!entry.network || !entry.clusterId) continue;
    try {
      // As every client does: pinned to the TLS key the cluster registered on chain.
      const control = controlTransport({
        url: entry.controlUrl,
        pin: { client: createSuiClient(entry.network), clusterId: entry.clusterId },
        insecureHttp: entry.insecureHttp === "true",
      });
      const health = await control.request("/healthz", { signal: AbortSignal.timeout(2_000) });
      health.resume();
      if (health.statusCode === 200) return { context, entry };
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Starts `k8s-daas up` with its progress on this terminal; resolves once it is ready. */
async function startStack(): Promise<{ stack: DemoStack; up: ChildProcess }> {
  say(bold("Starting the local stack: devnet, Kubernetes, cluster object, nautilus-control."));
  say("(The first run builds kube-testenv from Go; that takes many minutes and prints progress.)");
  const up = spawn(process.execPath, [BIN, "up", "-o", "json"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: up.stdout as NodeJS.ReadableStream });
  const stack = await new Promise<DemoStack>((resolve, reject) => {
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line) as ContextEntry & { event?: string; context?: string };
        if (parsed.event === "stack.ready" && parsed.context) {
          resolve({ context: parsed.context, entry: parsed });
        }
      } catch {
        // progress, not the ready line
      }
    });
    up.once("exit", (code) =>
      reject(stepFailed(`k8s-daas up exited with ${code} before it was ready`)),
    );
  });
  return { stack, up };
}

async function demo(stack: DemoStack, namespace: string): Promise<void> {
  const { entry } = stack;
  step(1, `claim the namespace "${namespace}" (a NamespaceCap object, owned by your key)`);
  const held = JSON.parse(await must(stack, ["namespace", "list", "-o", "json"], true)) as {
    namespace: string;
  }[];
  if (held.some((cap) => cap.namespace === namespace))
    say(`you already hold "${namespace}" (from an earlier run)`);
  else await must(stack, ["namespace", "claim", namespace]);

  step(
    2,
    "create a pod: a Sui transaction with a K8sAPIRequestEvent, executed by nautilus-control",
  );
  const created = JSON.parse(
    await must(
      stack,
      ["pod", "create", "web", "--image", IMAGE, "--port", "8080", "-n", namespace, "-o", "json"],
      true,
    ),
  ) as { requestId: string; summary: string; submittedTx: string; resultTx: string }[];
  const request = created[0];
  if (!request) throw stepFailed("pod create printed no outcome");
  say(`request ${request.requestId}: ${request.summary}`);
  say(`  submitted in transaction ${request.submittedTx}`);

  step(3, "see it Running in the cluster (read with the cluster's admin kubeconfig, like kubectl)");
  if (entry.kubeconfig) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(entry.kubeconfig);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    for (let attempt = 0; ; attempt++) {
      const pod = await core.readNamespacedPod({ name: "web", namespace });
      if (pod.status?.phase === "Running" || attempt >= 60) {
        say(
          `pod ${namespace}/web is ${pod.status?.phase} on node ${pod.spec?.nodeName}, runAsNonRoot=${pod.spec?.securityContext?.runAsNonRoot}`,
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  await must(stack, ["get", "pods", "-n", namespace]);

  step(4, "see the result on chain (K8sAPIResultEvent, signed by the enclave key)");
  if (!entry.network || !entry.packageId || !entry.clusterId) {
    throw stepFailed(`context "${stack.context}" lacks the network, package or cluster`);
  }
  const watcher = new ResultWatcher(
    createSuiClient(entry.network),
    entry.packageId,
    entry.clusterId,
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
  say(`  k8s-daas deploy api --image ${IMAGE} --replicas 3 -n ${namespace}`);
  say(`  k8s-daas get deployments -n ${namespace}`);
  say("  k8s-daas requests");
  say(`  k8s-daas result ${request.requestId}`);
  say("  k8s-daas cluster status");
  if (entry.kubeconfig) say(`  kubectl --kubeconfig ${entry.kubeconfig} get pods -A`);
  if (runsFromSource) say("  (run them with: node bin/k8s-daas.ts …, or npx k8s-daas …)");
}
