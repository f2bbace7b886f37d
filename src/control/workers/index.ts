import type { KubeConfig } from "@kubernetes/client-node";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { EnclavePoster } from "../enclave-poster.ts";
import type { Inbox } from "../inbox/index.ts";
import { resolveWorkerConfig, type WorkerControlConfig } from "./config.ts";
import { WorkerRegistry } from "./registry.ts";
import { WorkerControl } from "./worker-control.ts";

export { DEFAULT_WORKER_CONFIG, resolveWorkerConfig, type WorkerControlConfig } from "./config.ts";
export { WorkerControlError, type WorkerControlErrorCode } from "./errors.ts";
export * from "./node-labels.ts";
export { type WorkerEntry, WorkerRegistry, type WorkerStatus } from "./registry.ts";
export { WorkerControl } from "./worker-control.ts";

export interface WorkerManagementDeps {
  inbox: Inbox;
  /** The control plane's one queue of enclave-signed calls, shared with the reporter. */
  poster: EnclavePoster;
  client: SuiGrpcClient;
  kubeConfig: KubeConfig;
  packageId: string;
  clusterId: string;
  log: Logger;
  metricsRegistry: Registry;
}

/** What nautilus-control wires in: the manager and its registry. */
export interface WorkerManagement {
  readonly config: WorkerControlConfig;
  /** Undefined when worker management is turned off. */
  readonly control: WorkerControl | undefined;
  readonly registry: WorkerRegistry | undefined;
}

/**
 * Builds worker management for one control plane: the registry is attached to the inbox
 * (its table is written in the same transaction as the follower's cursor); signed calls go
 * through the control plane's poster.
 */
export function createWorkerManagement(
  deps: WorkerManagementDeps,
  overrides: Partial<WorkerControlConfig> = {},
): WorkerManagement {
  const config = resolveWorkerConfig(overrides);
  if (!config.enabled) return { config, control: undefined, registry: undefined };
  let control: WorkerControl | undefined;
  const registry = new WorkerRegistry({ onHeartbeat: (seen) => control?.observeHeartbeat(seen) });
  deps.inbox.extend(registry);
  control = new WorkerControl({ ...deps, config, registry });
  return { config, control, registry };
}
