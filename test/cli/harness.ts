// Drives the real `k8s-daas` binary as a user would: each command is its own process, the
// local stack is `k8s-daas up` in a child process, and everything is read from its output.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/k8s-daas.ts", import.meta.url));

/**
 * A home of this test process's own for everything the CLI keeps per user: the config file
 * (contexts), the default data dir and the XDG dirs. Tests never read or write the
 * developer's ~/.config, ~/.local/share or the clone's .data.
 */
const isolatedHome = mkdtempSync(join(tmpdir(), "k8s-daas-cli-home-"));
process.on("exit", () => rmSync(isolatedHome, { recursive: true, force: true }));

/** The environment every spawned `k8s-daas` starts from (before a test's own `env`). */
export const ISOLATED_ENV: Readonly<Record<string, string | undefined>> = {
  CI: "1",
  XDG_CONFIG_HOME: join(isolatedHome, "config"),
  XDG_DATA_HOME: join(isolatedHome, "data"),
  K8S_DAAS_CONFIG: undefined,
  K8S_DAAS_CONTEXT: undefined,
  K8S_DAAS_DATA_DIR: join(isolatedHome, "data", "k8s-daas"),
};

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
    env: { ...process.env, ...ISOLATED_ENV, ...options.env },
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
  /** The context `up` wrote (and made current) in `configFile`. */
  context: string;
  configFile: string;
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

/**
 * Starts `k8s-daas up` on free ports against an existing cluster (the shared test cluster),
 * with a config file of its own (`<dataDir>/config.json`) for the context it writes.
 */
export async function startUp(
  dataDir: string,
  kubeconfig: string,
  extraArgs: readonly string[] = [],
): Promise<UpProcess> {
  const configFile = join(dataDir, "config.json");
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
    {
      env: { ...process.env, ...ISOLATED_ENV, K8S_DAAS_CONFIG: configFile },
      stdio: ["ignore", "pipe", "pipe"],
    },
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
    env: { K8S_DAAS_CONFIG: ready.configFile, K8S_DAAS_CONTEXT: ready.context },
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
