import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { type BackoffPolicy, sleep } from "../shared/backoff.ts";
import { KubeApiClient } from "./api-client.ts";
import { SupervisedProcess } from "./supervised-process.ts";

export interface K3sOptions {
  /** The `k3s` executable; default: found on PATH. */
  binary?: string;
  dataDir: string;
  /** Where k3s writes the admin kubeconfig; default `<dataDir>/kubeconfig.yaml`. */
  kubeconfigPath?: string;
  /** Extra `k3s server` flags (e.g. `--disable=traefik`). */
  extraArgs?: readonly string[];
  /**
   * Let tenant pods run on the server node too. Off by default: the server is tainted
   * `CONTROL_PLANE_TAINT`, so only pods that tolerate it (k3s's own add-ons) run there, and
   * admission refuses that toleration to tenants. An operator running a one-machine cluster
   * without workers may opt in.
   */
  allowWorkloadsOnServer?: boolean;
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

/**
 * The taint that keeps workloads off the k3s server node. k3s's packaged add-ons (CoreDNS,
 * Traefik, metrics-server, local-path-provisioner) tolerate it; tenant pods cannot.
 */
export const CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane=true:NoSchedule";

/** The `k3s server` command line for `options`, writing its kubeconfig to `kubeconfigPath`. */
export function k3sServerArgs(options: K3sOptions, kubeconfigPath: string): string[] {
  return [
    "server",
    "--data-dir",
    options.dataDir,
    "--write-kubeconfig",
    kubeconfigPath,
    "--write-kubeconfig-mode",
    "0600",
    "--bind-address",
    "127.0.0.1",
    "--advertise-address",
    "127.0.0.1",
    ...(options.allowWorkloadsOnServer ? [] : ["--node-taint", CONTROL_PLANE_TAINT]),
    ...(options.extraArgs ?? []),
  ];
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

/**
 * Runs and supervises `k3s server` (the seed's embedded cluster): API on loopback, admin
 * kubeconfig written 0600 to a known path, the server node tainted against workloads, restarted with capped backoff when it dies, and
 * stopped with SIGTERM (SIGKILL after a grace period) so no process is left behind.
 */
export class K3sServer {
  readonly kubeconfigPath: string;
  readonly #options: K3sOptions;
  readonly #process: SupervisedProcess;
  #stopping = false;

  constructor(options: K3sOptions) {
    const binary = options.binary ?? findK3s();
    if (!binary) {
      throw new K3sError(
        "K3S_NOT_FOUND",
        "no k3s executable on PATH; install k3s or use kube-testenv",
      );
    }
    this.#options = options;
    this.kubeconfigPath = options.kubeconfigPath ?? join(options.dataDir, "kubeconfig.yaml");
    this.#process = new SupervisedProcess({
      command: binary,
      args: k3sServerArgs(options, this.kubeconfigPath),
      ...(options.restartBackoff ? { backoff: options.restartBackoff } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }

  /** How many times k3s was restarted after dying. */
  get restarts(): number {
    return this.#process.restarts;
  }

  /** Starts k3s and resolves once its API server answers with the written kubeconfig. */
  async start(): Promise<KubeConfig> {
    mkdirSync(this.#options.dataDir, { recursive: true });
    this.#process.start();
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
    await this.#process.stop(graceMs);
  }
}
