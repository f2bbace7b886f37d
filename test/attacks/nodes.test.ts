// Attacks on nodes, as a staker would make them: raw Sui transactions built with the SDK
// (no CLI and none of its checks) against devnet + nautilus-control + kube-testenv. A worker
// named after a Node it does not own must never get that Node cordoned, drained, deleted,
// joined or adopted: the activation is refused on chain and the Node is left as it was.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { CoreV1Api, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { addCall, createdObjectOfType, executeSigned } from "../../src/chain/k8s-daas.ts";
import {
  LABEL_WORKER,
  LABEL_WORKER_ACTIVE,
  type WorkerControl,
} from "../../src/control/workers/index.ts";
import { ANNOTATION_WORKER_REGISTRATION } from "../../src/k8s/index.ts";
import {
  type CallName,
  eventType,
  WORKER_ACTION,
  WorkerNodeEvent,
} from "../../src/protocol/index.ts";
import {
  ActivationWatcher,
  generateWorkerEncryptionKey,
  openJoinCredential,
} from "../../src/worker/index.ts";
import { createTestNamespace, testCluster, uniqueNamespace, waitFor } from "../helpers/cluster.ts";
import { openStack, type Stack } from "../helpers/stack.ts";
import { newWorker, STAKE_MIST, setConfig } from "../worker/fixtures.ts";

let stack: Stack;
let other: Stack;
let core: CoreV1Api;
let victim = "";
let victimBefore: V1Node;
let victimPod: V1Pod;
const namespace = uniqueNamespace("attack-nodes");
const createdNodes: string[] = [];

before(async () => {
  const cluster = await testCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  victim = cluster.nodes[0] ?? "";
  assert.ok(victim, "kube-testenv has nodes");
  stack = await openStack(cluster.kubeConfig());
  await stack.startControl();
  // Somebody's pod on the victim node: it must still be there after every attack.
  await createTestNamespace(core, namespace);
  victimPod = await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: "bystander" },
      spec: { nodeName: victim, containers: [{ name: "app", image: "nginx:1.27" }] },
    },
  });
  victimBefore = await core.readNode({ name: victim });
});

after(async () => {
  await other?.close();
  await stack?.close();
  await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  for (const name of createdNodes) await core?.deleteNode({ name }).catch(() => undefined);
});

/** A funded attacker key. */
async function attacker(on: Stack = stack): Promise<Ed25519Keypair> {
  const key = Ed25519Keypair.generate();
  await on.devnet.faucet(key.toSuiAddress(), 100_000_000_000n);
  return key;
}

/** One raw Move call, signed and executed with the SDK. */
function raw(
  signer: Ed25519Keypair,
  name: CallName,
  values: Record<string, unknown>,
  cap?: string,
  coinMist?: bigint,
  on: Stack = stack,
) {
  return executeSigned(on.client, signer, (tx) =>
    addCall(
      tx,
      on.packageId,
      name,
      values,
      { cluster: on.clusterId, ...(cap ? { cap } : {}) },
      coinMist,
    ),
  );
}

/** `register_worker_node` with the minimum-passing stake; returns the new WorkerCap. */
async function registerRaw(
  signer: Ed25519Keypair,
  nodeId: string,
  encryptionKey: Uint8Array = randomBytes(32),
): Promise<string> {
  const result = await raw(
    signer,
    "register_worker_node",
    { node_id: nodeId, encryption_key: encryptionKey },
    undefined,
    STAKE_MIST,
  );
  return createdObjectOfType(result, "::workers::WorkerCap");
}

type WorkerEvent = ReturnType<typeof WorkerNodeEvent.parse>;

/** Waits for the cluster's WorkerNodeEvent with `action` for `nodeId`, after `since`. */
async function workerEvent(nodeId: string, action: number, since = 0): Promise<WorkerEvent> {
  const type = eventType(stack.packageId, "WorkerNodeEvent");
  return waitFor(`WorkerNodeEvent ${action} of ${nodeId}`, async () => {
    let after: string | null = null;
    const seen: WorkerEvent[] = [];
    do {
      const page = await stack.client.listEvents({
        filter: { eventType: type },
        limit: 200,
        ...(after ? { after } : {}),
      });
      for (const event of page.events) seen.push(WorkerNodeEvent.parse(event.bcs));
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    return seen.find(
      (e) =>
        e.cluster_id === stack.clusterId &&
        e.node_id === nodeId &&
        e.action === action &&
        Number(e.timestamp_ms) >= since,
    );
  });
}

function workers(): WorkerControl {
  const control = stack.control?.workers;
  assert.ok(control, "worker management runs");
  return control;
}

async function refusals(action: string): Promise<number> {
  const metric = await workers().nodeRefusals.get();
  return metric.values.find((v) => v.labels.action === action)?.value ?? 0;
}

/** The node is the same object, not cordoned, not bound, and its pod is still on it. */
async function assertUntouched(name: string, before: V1Node, pod?: V1Pod): Promise<void> {
  const now = await core.readNode({ name });
  assert.equal(now.metadata?.uid, before.metadata?.uid, `${name} is the same Node object`);
  assert.ok(!now.spec?.unschedulable, `${name} is not cordoned`);
  assert.ok(
    !(now.spec?.taints ?? []).some((taint) => taint.key === "node.kubernetes.io/unschedulable"),
    `${name} carries no cordon taint`,
  );
  assert.equal(
    now.metadata?.annotations?.[ANNOTATION_WORKER_REGISTRATION],
    before.metadata?.annotations?.[ANNOTATION_WORKER_REGISTRATION],
    `${name} was not bound to anyone`,
  );
  assert.equal(now.metadata?.labels?.[LABEL_WORKER], before.metadata?.labels?.[LABEL_WORKER]);
  if (pod) {
    const still = await core.readNamespacedPod({
      name: pod.metadata?.name ?? "",
      namespace: pod.metadata?.namespace ?? "",
    });
    assert.equal(still.metadata?.uid, pod.metadata?.uid, "the pod on it is the same pod");
    assert.equal(still.metadata?.deletionTimestamp, undefined, "and it is not being evicted");
  }
}

/** A Node created by someone else (an admin, another system) under `name`, with a pod. */
async function strangerNode(name: string): Promise<{ node: V1Node; pod: V1Pod }> {
  createdNodes.push(name);
  const node = await core.createNode({
    body: {
      metadata: { name, annotations: { "kwok.x-k8s.io/node": "fake" } },
      status: { allocatable: { cpu: "2", memory: "4Gi", pods: "10" } },
    },
  });
  const pod = await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: `on-${name}` },
      spec: { nodeName: name, containers: [{ name: "app", image: "nginx:1.27" }] },
    },
  });
  return { node, pod };
}

test("a worker named after an existing node is refused on chain; the node is untouched", async () => {
  const evil = await attacker();
  const before = await refusals("activate");
  const cap = await registerRaw(evil, victim);
  const refused = await workerEvent(victim, WORKER_ACTION.refused);
  assert.match(
    Buffer.from(refused.data).toString("utf8"),
    /activation refused: node .* was not created for a k8s_daas worker/,
  );
  // A worker agent waiting for its activation learns of the refusal instead of timing out.
  const watcher = new ActivationWatcher(stack.client, stack.packageId, stack.clusterId);
  try {
    await assert.rejects(watcher.activation(victim, 120_000), {
      code: "WORKER_REFUSED",
      message: /refused by the cluster's enclave: activation refused/,
    });
  } finally {
    await watcher.close();
  }
  assert.ok((await refusals("activate")) > before, "counted in the metrics");
  assert.match(workers().worker(victim)?.refusal ?? "", /activation refused/);
  // Refused is not live: no deregistration to drain anything; the stake comes back at once.
  await assert.rejects(raw(evil, "deregister_worker", {}, cap), /EWorkerNotLive|506/);
  await raw(evil, "withdraw_stake", {}, cap);
  await workerEvent(victim, WORKER_ACTION.withdrawn);
  await waitFor("the refused worker retired", async () =>
    workers().worker(victim)?.nodeState === "removed" ? true : undefined,
  );
  await assertUntouched(victim, victimBefore, victimPod);
});

test("registered and deregistered while the control plane was down: the node is untouched", async () => {
  await stack.control?.stop();
  const evil = await attacker();
  const cap = await registerRaw(evil, victim);
  await raw(evil, "deregister_worker", {}, cap);
  await stack.startControl();
  const before = await refusals("cordon");
  await waitFor("the deregistered worker retired", async () => {
    const entry = workers().worker(victim);
    return entry?.status === "unbonding" && entry.nodeState === "removed" ? true : undefined;
  });
  assert.ok((await refusals("cordon")) > before, "the cordon was refused by the guard");
  await assertUntouched(victim, victimBefore, victimPod);
});

test("a worker named after another cluster's worker node is refused; that node is untouched", async () => {
  const cluster = await testCluster();
  other = await openStack(cluster.kubeConfig());
  await other.startControl();
  const watcher = new ActivationWatcher(other.client, other.packageId, other.clusterId);
  const nodeId = uniqueNamespace("shared");
  createdNodes.push(nodeId);
  try {
    const honest = await newWorker(other, watcher, nodeId, 1_000);
    await honest.agent.register(STAKE_MIST);
    await honest.agent.join();
    await honest.agent.startHeartbeats();
    const theirs = await waitFor("the other cluster's worker node", async () => {
      const node = await core.readNode({ name: nodeId }).catch(() => undefined);
      return node?.metadata?.labels?.[LABEL_WORKER_ACTIVE] === "true" ? node : undefined;
    });

    const evil = await attacker();
    const cap = await registerRaw(evil, nodeId);
    const refused = await workerEvent(nodeId, WORKER_ACTION.refused);
    assert.match(Buffer.from(refused.data).toString("utf8"), /belongs to another k8s_daas cluster/);
    await raw(evil, "withdraw_stake", {}, cap);
    await workerEvent(nodeId, WORKER_ACTION.withdrawn);
    await waitFor("the refused worker retired", async () =>
      workers().worker(nodeId)?.nodeState === "removed" ? true : undefined,
    );
    await assertUntouched(nodeId, theirs);
    const still = await core.readNode({ name: nodeId });
    assert.equal(
      still.metadata?.labels?.[LABEL_WORKER_ACTIVE],
      "true",
      "still serving its cluster",
    );
    await honest.agent.stopHeartbeats();
  } finally {
    await watcher.close();
  }
});

test("a node that takes an active worker's name later is never joined, adopted or removed", async () => {
  const evil = await attacker();
  const key = generateWorkerEncryptionKey();
  const nodeId = uniqueNamespace("late");
  const cap = await registerRaw(evil, nodeId, key.publicKey);
  const activated = await workerEvent(nodeId, WORKER_ACTION.activated);
  const credential = openJoinCredential(key, new Uint8Array(activated.data), {
    clusterId: stack.clusterId,
    nodeId,
  });
  const { node, pod } = await strangerNode(nodeId);

  // A valid token does not make someone else's Node the worker's.
  const joinRefusals = await refusals("join");
  const response = await fetch(credential.joinUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nodeId, token: credential.token }),
  });
  assert.equal(response.status, 409);
  assert.equal(((await response.json()) as { error: string }).error, "WORKERS_NODE_NOT_BOUND");
  assert.ok((await refusals("join")) > joinRefusals);

  await raw(evil, "deregister_worker", {}, cap);
  await waitFor("the deregistered worker retired", async () =>
    workers().worker(nodeId)?.nodeState === "removed" ? true : undefined,
  );
  assert.equal(workers().worker(nodeId)?.nodeUid, undefined, "never bound");
  await assertUntouched(nodeId, node, pod);
});

test("a lapsed worker whose name was taken by another node is slashed; that node is untouched", async () => {
  const evil = await attacker();
  const nodeId = uniqueNamespace("lapse");
  await registerRaw(evil, nodeId);
  await workerEvent(nodeId, WORKER_ACTION.activated);
  const { node, pod } = await strangerNode(nodeId);
  const before = await refusals("cordon");
  // No heartbeats: with a 1 s period the worker lapses after 3 s.
  await setConfig(stack, "set_heartbeat_period", { period_ms: 1_000 });
  await workerEvent(nodeId, WORKER_ACTION.slashed);
  await waitFor("the slashed worker retired", async () =>
    workers().worker(nodeId)?.nodeState === "removed" ? true : undefined,
  );
  assert.ok((await refusals("cordon")) > before, "the cordon was refused by the guard");
  await assertUntouched(nodeId, node, pod);
});
