// Drives the real `k8s-daas` binary as a user would: each command is its own process, the
// local stack is `k8s-daas up` in a child process, and everything is read from its output.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/k8s-daas.ts", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `k8s-daas ...args` to completion. `env` adds to (and overrides) the environment. */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; input?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, CI: "1", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(options.input ?? "");
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

/** What `k8s-daas up -o json` prints once the stack is ready. */
export interface ReadyLine {
  event: "stack.ready";
  network: string;
  packageId: string;
  clusterId: string;
  controlUrl: string;
  suiConfigDir: string;
  tenant: string;
  operator: string;
  kubeconfig: string;
  dataDir: string;
  contextFile: string;
  ready: boolean;
}

export interface UpProcess {
  ready: ReadyLine;
  child: ChildProcess;
  /** Environment that points later commands at this stack. */
  env: Record<string, string>;
  stderr(): string;
  /** Ctrl-C; resolves with the exit code and everything `up` printed on stderr. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

export function tempDataDir(prefix = "k8s-daas-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `k8s-daas up` on free ports against an existing cluster (the shared test cluster). */
export async function startUp(
  dataDir: string,
  kubeconfig: string,
  extraArgs: readonly string[] = [],
): Promise<UpProcess> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      "up",
      "--data-dir",
      dataDir,
      "--kube",
      "kubeconfig",
      "--kubeconfig",
      kubeconfig,
      "--devnet-port",
      "0",
      "--control-port",
      "0",
      "-o",
      "json",
      ...extraArgs,
    ],
    { env: { ...process.env, CI: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, "exit") as Promise<[number | null]>;
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line) as ReadyLine;
        if (parsed.event === "stack.ready") resolve(parsed);
      } catch {
        // not the ready line
      }
    });
    void exited.then(([code]) => reject(new Error(`up exited with ${code}:\n${stderr}`)));
  });
  return {
    ready,
    child,
    env: { K8S_DAAS_CONTEXT: ready.contextFile },
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGINT");
      const [code] = await exited;
      return { code, stderr };
    },
  };
}

/** The `error[CODE]: …` line of a failed command. */
export function errorLine(run: CliRun): string {
  return run.stderr.split("\n").find((line) => line.startsWith("error[")) ?? "";
}
