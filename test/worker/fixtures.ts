// Worker test helpers: funded worker agents (simulated joiners) on a test stack, the
// cluster's AdminCap, and reads of worker nodes and pods.
import type { CoreV1Api, V1Pod } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { addCall } from "../../src/chain/k8s-daas.ts";
import { LABEL_WORKER } from "../../src/control/workers/index.ts";
import {
  type ActivationWatcher,
  generateWorkerEncryptionKey,
  SimulatedJoiner,
  WorkerAgent,
  WorkerChain,
} from "../../src/worker/index.ts";
import { execute, type Stack } from "../helpers/stack.ts";

export const STAKE_MIST = 2_000_000_000n;

export interface TestWorker {
  agent: WorkerAgent;
  chain: WorkerChain;
  owner: Ed25519Keypair;
  key: ReturnType<typeof generateWorkerEncryptionKey>;
}

export async function newWorker(
  stack: Stack,
  watcher: ActivationWatcher,
  nodeId: string,
  heartbeatIntervalMs: number,
): Promise<TestWorker> {
  const owner = Ed25519Keypair.generate();
  await stack.devnet.faucet(owner.toSuiAddress(), 100_000_000_000n);
  const key = generateWorkerEncryptionKey();
  const chain = new WorkerChain({
    client: stack.client,
    signer: owner,
    packageId: stack.packageId,
    clusterId: stack.clusterId,
  });
  const agent = new WorkerAgent({
    client: stack.client,
    chain,
    key,
    packageId: stack.packageId,
    clusterId: stack.clusterId,
    nodeId,
    joiner: new SimulatedJoiner(),
    watcher,
    heartbeatIntervalMs,
    activationTimeoutMs: 120_000,
  });
  return { agent, chain, owner, key };
}

export async function adminCapOf(stack: Stack): Promise<string> {
  const { objects } = await stack.client.listOwnedObjects({
    owner: stack.admin.toSuiAddress(),
    type: `${stack.packageId}::cluster::AdminCap`,
  });
  const cap = objects[0]?.objectId;
  if (!cap) throw new Error("the admin holds no AdminCap");
  return cap;
}

/** An admin setter such as `set_heartbeat_period`. */
export async function setConfig(
  stack: Stack,
  name: "set_heartbeat_period" | "set_unbonding_period",
  value: Record<string, unknown>,
): Promise<void> {
  const cap = await adminCapOf(stack);
  await execute(stack.client, stack.admin, (tx) =>
    addCall(tx, stack.packageId, name, value, { cluster: stack.clusterId, cap }),
  );
}

export async function workerNodes(core: CoreV1Api, nodeIds: readonly string[]) {
  const nodes = (await core.listNode({ labelSelector: LABEL_WORKER })).items;
  return nodes.filter((node) => nodeIds.includes(node.metadata?.name ?? ""));
}

export async function runningPods(core: CoreV1Api, namespace: string): Promise<V1Pod[]> {
  const pods = (await core.listNamespacedPod({ namespace })).items;
  return pods.filter((pod) => pod.status?.phase === "Running" && !pod.metadata?.deletionTimestamp);
}
