import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { type BackoffPolicy, backoffDelay, sleep } from "../chain/backoff.ts";
import { KubeApiClient } from "./api-client.ts";

export interface K3sOptions {
  /** The `k3s` executable; default: found on PATH. */
  binary?: string;
  dataDir: string;
  /** Where k3s writes the admin kubeconfig; default `<dataDir>/kubeconfig.yaml`. */
  kubeconfigPath?: string;
  /** Extra `k3s server` flags (e.g. `--disable=traefik`). */
  extraArgs?: readonly string[];
  /** How long to wait for the API server after each start (default 120 s). */
  readyTimeoutMs?: number;
  restartBackoff?: BackoffPolicy;
  log?: (line: string) => void;
}

export class K3sError extends Error {
  readonly code: "K3S_NOT_FOUND" | "K3S_NOT_READY" | "K3S_EXITED";
  constructor(code: K3sError["code"], message: string) {
    super(message);
    this.name = "K3sError";
    this.code = code;
  }
}

/** The first executable `k3s` on PATH, if any. */
export function findK3s(path: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "k3s");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000 };

/**
 * Runs and supervises `k3s server` (the seed's embedded cluster): API on loopback, admin
 * kubeconfig written 0600 to a known path, restarted with capped backoff when it dies, and
 * stopped with SIGTERM (SIGKILL after a grace period) so no process is left behind.
 */
export class K3sServer {
  readonly kubeconfigPath: string;
  restarts = 0;
  readonly #options: K3sOptions;
  readonly #binary: string;
  #child: ChildProcess | undefined;
  #stopping = false;
  #supervision: Promise<void> | undefined;

  constructor(options: K3sOptions) {
    const binary = options.binary ?? findK3s();
    if (!binary) {
      throw new K3sError(
        "K3S_NOT_FOUND",
        "no k3s executable on PATH; install k3s or use kube-testenv",
      );
    }
    this.#binary = binary;
    this.#options = options;
    this.kubeconfigPath = options.kubeconfigPath ?? join(options.dataDir, "kubeconfig.yaml");
  }

  /** Starts k3s and resolves once its API server answers with the written kubeconfig. */
  async start(): Promise<KubeConfig> {
    mkdirSync(this.#options.dataDir, { recursive: true });
    this.#spawn();
    this.#supervision = this.#supervise();
    return this.waitReady();
  }

  kubeConfig(): KubeConfig {
    const config = new KubeConfig();
    config.loadFromFile(this.kubeconfigPath);
    return config;
  }

  async waitReady(): Promise<KubeConfig> {
    const timeoutMs = this.#options.readyTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    let last = "no kubeconfig yet";
    while (Date.now() < deadline) {
      if (this.#stopping) throw new K3sError("K3S_EXITED", "k3s was stopped while starting");
      if (existsSync(this.kubeconfigPath)) {
        try {
          const config = this.kubeConfig();
          await new KubeApiClient(config).request("GET", "/version", {
            signal: AbortSignal.timeout(3_000),
          });
          return config;
        } catch (error) {
          last = error instanceof Error ? error.message : String(error);
        }
      }
      await sleep(250);
    }
    throw new K3sError(
      "K3S_NOT_READY",
      `k3s API not ready after ${timeoutMs} ms (${last}); data dir ${this.#options.dataDir}`,
    );
  }

  async stop(graceMs = 20_000): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await this.#supervision;
  }

  #spawn(): void {
    const args = [
      "server",
      "--data-dir",
      this.#options.dataDir,
      "--write-kubeconfig",
      this.kubeconfigPath,
      "--write-kubeconfig-mode",
      "0600",
      "--bind-address",
      "127.0.0.1",
      "--advertise-address",
      "127.0.0.1",
      ...(this.#options.extraArgs ?? []),
    ];
    const child = spawn(this.#binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    const log = this.#options.log;
    if (log) {
      child.stdout?.on("data", (chunk: Buffer) => log(chunk.toString().trimEnd()));
      child.stderr?.on("data", (chunk: Buffer) => log(chunk.toString().trimEnd()));
    }
    this.#child = child;
  }

  /** Restarts k3s whenever it dies, until `stop`. */
  async #supervise(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      const child = this.#child;
      if (!child) return;
      const started = Date.now();
      const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
      if (this.#stopping) return;
      // A run that lasted a while resets the backoff: only rapid crash loops slow down.
      failures = Date.now() - started > 60_000 ? 0 : failures + 1;
      const delay = backoffDelay(
        this.#options.restartBackoff ?? DEFAULT_BACKOFF,
        failures - 1,
        () => 1,
      );
      this.#options.log?.(`k3s exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      await sleep(delay);
      if (this.#stopping) return;
      this.restarts++;
      this.#spawn();
    }
  }
}
