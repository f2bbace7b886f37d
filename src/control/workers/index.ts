import type { KubeConfig } from "@kubernetes/client-node";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Submitter } from "../../chain/index.ts";
import type { EnclaveSigner } from "../../tee/index.ts";
import type { OperationRunner } from "../control-plane.ts";
import type { Inbox } from "../inbox.ts";
import { resolveWorkerConfig, type WorkerControlConfig } from "./config.ts";
import { EnclavePoster } from "./enclave-poster.ts";
import { placeOnWorkerNodes } from "./placement.ts";
import { WorkerRegistry } from "./registry.ts";
import { WorkerControl } from "./worker-control.ts";

export { DEFAULT_WORKER_CONFIG, resolveWorkerConfig, type WorkerControlConfig } from "./config.ts";
export { EnclavePoster } from "./enclave-poster.ts";
export { WorkerControlError, type WorkerControlErrorCode } from "./errors.ts";
export * from "./node-labels.ts";
export { placeOnWorkerNodes, withWorkerPlacement } from "./placement.ts";
export { type WorkerEntry, WorkerRegistry, type WorkerStatus } from "./registry.ts";
export { WorkerControl } from "./worker-control.ts";

export interface WorkerManagementDeps {
  inbox: Inbox;
  signer: EnclaveSigner;
  submitter: Submitter;
  client: SuiGrpcClient;
  kubeConfig: KubeConfig;
  packageId: string;
  clusterId: string;
  log: Logger;
  metricsRegistry: Registry;
}

/** What nautilus-control wires in: the signed-call queue, the runner wrapper, the manager. */
export interface WorkerManagement {
  readonly config: WorkerControlConfig;
  readonly poster: EnclavePoster;
  /** Undefined when worker management is turned off. */
  readonly control: WorkerControl | undefined;
  readonly registry: WorkerRegistry | undefined;
  /** The tenant runner, placing pods on worker nodes when `placeOnWorkers` is set. */
  wrapRunner(runner: OperationRunner): OperationRunner;
}

/**
 * Builds worker management for one control plane: the registry is attached to the inbox
 * (its table is written in the same transaction as the follower's cursor), the poster is
 * the one queue for every enclave-signed call (the reporter's included).
 */
export function createWorkerManagement(
  deps: WorkerManagementDeps,
  overrides: Partial<WorkerControlConfig> = {},
): WorkerManagement {
  const config = resolveWorkerConfig(overrides);
  const poster = new EnclavePoster(deps);
  const wrapRunner = (runner: OperationRunner) =>
    config.placeOnWorkers ? placeOnWorkerNodes(runner, deps.clusterId) : runner;
  if (!config.enabled)
    return { config, poster, control: undefined, registry: undefined, wrapRunner };
  let control: WorkerControl | undefined;
  const registry = new WorkerRegistry({ onHeartbeat: (seen) => control?.observeHeartbeat(seen) });
  deps.inbox.extend(registry);
  control = new WorkerControl({ ...deps, config, registry, poster });
  return { config, poster, control, registry, wrapRunner };
}
