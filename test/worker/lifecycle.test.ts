// Worker lifecycle end to end: devnet + nautilus-control + the shared kube-testenv cluster.
// Three simulated workers stake, get activated, open their credentials and join as KWOK
// nodes; a tenant's pods spread over them. One stops heart-beating: it is cordoned,
// drained and slashed on chain, and its pods move. One leaves: drained, deregistered,
// refused an early withdrawal, and paid back once the devnet clock passes the unbonding
// period.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { MoveAbortError } from "../../src/chain/index.ts";
import { LABEL_STAKE_TIER, LABEL_WORKER_ACTIVE } from "../../src/control/workers/index.ts";
import { ActivationWatcher, openJoinCredential } from "../../src/worker/index.ts";
import { testCluster, uniqueNamespace, waitFor } from "../helpers/cluster.ts";
import {
  newTenant,
  openStack,
  type Stack,
  submitRequest,
  waitForResult,
} from "../helpers/stack.ts";
import {
  newWorker,
  runningPods,
  STAKE_MIST,
  setConfig,
  type TestWorker,
  workerNodes,
} from "./fixtures.ts";

const HEARTBEAT_PERIOD_MS = 2_000;
const REPLICAS = 6;

let stack: Stack;
let core: CoreV1Api;
let watcher: ActivationWatcher;
const suffix = uniqueNamespace("w").slice(2);
const nodeIds = ["lapse", "leave", "stay"].map((role) => `${role}-${suffix}`);
const [lapsingId = "", leavingId = "", stayingId = ""] = nodeIds;
const workers = new Map<string, TestWorker>();

before(async () => {
  const cluster = await testCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  // Worker settings come from the environment here, as for a deployed control plane.
  process.env.K8S_DAAS_WORKERS_PLACE_PODS = "true";
  process.env.K8S_DAAS_WORKERS_LIVENESS_INTERVAL_MS = "250";
  stack = await openStack(cluster.kubeConfig());
  await setConfig(stack, "set_heartbeat_period", { period_ms: HEARTBEAT_PERIOD_MS });
  await stack.startControl();
  watcher = new ActivationWatcher(stack.client, stack.packageId, stack.clusterId);
});

after(async () => {
  for (const worker of workers.values()) await worker.agent.stopHeartbeats();
  await watcher?.close();
  await stack?.close();
  for (const nodeId of nodeIds) await core?.deleteNode({ name: nodeId }).catch(() => undefined);
  delete process.env.K8S_DAAS_WORKERS_PLACE_PODS;
  delete process.env.K8S_DAAS_WORKERS_LIVENESS_INTERVAL_MS;
});

test("workers stake, join, host pods, lapse and get slashed, leave and withdraw", async () => {
  // --- register (three stakes, three tiers) and join ---
  const stakes = [STAKE_MIST, STAKE_MIST * 5n, STAKE_MIST * 10n];
  for (const [index, nodeId] of nodeIds.entries()) {
    const worker = await newWorker(stack, watcher, nodeId, 400);
    workers.set(nodeId, worker);
    await worker.agent.register(stakes[index] ?? STAKE_MIST);
  }
  for (const worker of workers.values()) {
    await worker.agent.join();
    await worker.agent.startHeartbeats();
  }
  // Ready, and schedulable: the node lifecycle controller lifts the not-ready taint a moment
  // after Ready, and pods scheduled in that moment avoid the node.
  const joined = await waitFor("three Ready, untainted worker nodes", async () => {
    const nodes = await workerNodes(core, nodeIds);
    const ready = nodes.filter(
      (node) =>
        node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") &&
        !node.spec?.unschedulable &&
        !(node.spec?.taints ?? []).some((taint) => taint.effect === "NoSchedule"),
    );
    return ready.length === 3 ? nodes : undefined;
  });
  const tiers = Object.fromEntries(
    joined.map((node) => [node.metadata?.name, node.metadata?.labels?.[LABEL_STAKE_TIER]]),
  );
  assert.deepEqual(tiers, { [lapsingId]: "high", [leavingId]: "premium", [stayingId]: "premium" });

  // --- bad input: a second registration, someone else's cap, someone else's credential ---
  const lapsing = workers.get(lapsingId) as TestWorker;
  const leaving = workers.get(leavingId) as TestWorker;
  const staying = workers.get(stayingId) as TestWorker;
  await assert.rejects(lapsing.chain.register(lapsingId, lapsing.key.publicKey, STAKE_MIST), (e) =>
    isAbort(e, "EWorkerExists"),
  );
  await assert.rejects(
    leaving.chain.heartbeat(lapsing.agent.capId ?? ""),
    /owned by .*not the sender/,
    "a heartbeat with another owner's WorkerCap is refused",
  );
  const sealedForLapsing = await watcher.activation(lapsingId, 1_000);
  assert.throws(
    () =>
      openJoinCredential(leaving.key, sealedForLapsing, {
        clusterId: stack.clusterId,
        nodeId: lapsingId,
      }),
    { code: "JOIN_CREDENTIAL_UNREADABLE" },
  );

  // --- a tenant's pods spread over the three workers ---
  const namespace = uniqueNamespace("wk");
  const tenant = await newTenant(stack, namespace);
  const requestId = await submitRequest(
    stack,
    tenant.key,
    "deploy_pods_batch",
    { deployment_name: "web", namespace, image: "nginx:1.27", replicas: REPLICAS, priority: 5 },
    { cap: tenant.capId },
  );
  const result = await waitForResult(stack, requestId);
  assert.equal(result.status_code, 201, result.summary);
  const spread = await waitFor(`${REPLICAS} running pods`, async () => {
    const pods = await runningPods(core, namespace);
    return pods.length === REPLICAS ? pods : undefined;
  });
  const hosts = new Set(spread.map((pod) => pod.spec?.nodeName));
  assert.deepEqual([...hosts].sort(), [...nodeIds].sort(), "pods on every worker, and only there");

  // --- one worker stops heart-beating: cordoned, drained, slashed, its pods move ---
  await lapsing.agent.stopHeartbeats();
  const verdict = await watcher
    .verdict(lapsingId, 120_000)
    .then(async (first) => (first.kind === "slashed" ? first : waitForSlash(lapsingId)));
  assert.equal(verdict.kind, "slashed");
  await waitFor("the lapsed worker's node removed", async () =>
    (await workerNodes(core, [lapsingId])).length === 0 ? true : undefined,
  );
  const moved = await waitFor(`${REPLICAS} pods running on the live workers`, async () => {
    const pods = await runningPods(core, namespace);
    return pods.length === REPLICAS && pods.every((p) => p.spec?.nodeName !== lapsingId)
      ? pods
      : undefined;
  });
  assert.ok(moved.every((pod) => [leavingId, stayingId].includes(pod.spec?.nodeName ?? "")));
  await assert.rejects(lapsing.agent.heartbeat(), (e) => isAbort(e, "EWorkerNotLive"));
  await assert.rejects(lapsing.agent.withdraw(), (e) => isAbort(e, "EWorkerSlashed"));

  // --- one worker leaves: deregistered, drained, node removed; early withdrawal refused ---
  await leaving.agent.leave();
  await waitFor("the leaving worker's node removed", async () =>
    (await workerNodes(core, [leavingId])).length === 0 ? true : undefined,
  );
  const remaining = await waitFor(`${REPLICAS} pods on the last worker`, async () => {
    const pods = await runningPods(core, namespace);
    return pods.length === REPLICAS && pods.every((p) => p.spec?.nodeName === stayingId)
      ? pods
      : undefined;
  });
  assert.equal(remaining.length, REPLICAS);
  await assert.rejects(leaving.agent.withdraw(), (e) => isAbort(e, "EUnbondingNotOver"));
  const activeLabel = (await workerNodes(core, [stayingId]))[0]?.metadata?.labels?.[
    LABEL_WORKER_ACTIVE
  ];
  assert.equal(activeLabel, "true");

  // --- after unbonding the stake comes back. The control plane is stopped first: the jump
  // of the chain's clock would (rightly) count as a day without heartbeats for the others.
  await staying.agent.stopHeartbeats();
  await stack.control?.stop();
  stack.control = undefined;
  const before = await balanceOf(leaving.chain.address);
  stack.devnet.clock.advance(86_400_000);
  await leaving.agent.withdraw();
  const afterWithdraw = await balanceOf(leaving.chain.address);
  assert.ok(afterWithdraw > before + STAKE_MIST * 4n, "the stake was paid back");
});

function isAbort(error: unknown, name: string): boolean {
  assert.ok(error instanceof MoveAbortError, `expected a Move abort, got ${String(error)}`);
  assert.equal(error.constantName, name);
  return true;
}

async function balanceOf(address: string): Promise<bigint> {
  const { balance } = await stack.client.getBalance({ owner: address });
  return BigInt(balance.balance);
}

async function waitForSlash(nodeId: string) {
  return waitFor(`${nodeId} slashed on chain`, async () => {
    const verdict = await watcher.verdict(nodeId, 1_000);
    return verdict.kind === "slashed" ? verdict : undefined;
  });
}
