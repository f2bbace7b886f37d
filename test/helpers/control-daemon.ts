// nautilus-control as its own process (`k8s-daas control`), for the tests that SIGKILL it.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";

const BIN = fileURLToPath(new URL("../../bin/k8s-daas.ts", import.meta.url));

export interface ControlDaemonOptions {
  chainUrl: string;
  packageId: string;
  clusterId: string;
  kubeconfigPath: string;
  /** Holds `control/` (its state) and `enclave.json` (the dev enclave key). */
  dir: string;
  operator: Ed25519Keypair;
  /** More environment (e.g. `K8S_DAAS_BILLING_*` settings). */
  env?: Record<string, string>;
}

/** Starts `k8s-daas control` on a free loopback port, logging errors only to stderr. */
export function spawnControlDaemon(options: ControlDaemonOptions): ChildProcess {
  return spawn(
    process.execPath,
    [
      BIN,
      "control",
      "--network",
      options.chainUrl,
      "--package-id",
      options.packageId,
      "--cluster-id",
      options.clusterId,
      "--kubeconfig",
      options.kubeconfigPath,
      "--data-dir",
      join(options.dir, "control"),
      "--enclave-key-file",
      join(options.dir, "enclave.json"),
      "--listen",
      "127.0.0.1:0",
      "--log-level",
      "error",
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        K8S_DAAS_OPERATOR_KEY: options.operator.getSecretKey(),
        ...options.env,
      },
    },
  );
}
