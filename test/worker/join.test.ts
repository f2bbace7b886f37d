// The join path and the signed-call queue against the real API server: a worker's token
// works once and only for its own node; the chain refuses stakes below the minimum;
// cluster-state reports posted at once all land, in sequence order, without re-signing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { MoveAbortError } from "../../src/chain/index.ts";
import {
  LABEL_STAKE_TIER,
  LABEL_WORKER,
  LABEL_WORKER_ACTIVE,
} from "../../src/control/workers/index.ts";
import { ClusterStateEvent, eventType } from "../../src/protocol/index.ts";
import { ActivationWatcher, SimulatedJoiner } from "../../src/worker/index.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { openStack, type Stack } from "../helpers/stack.ts";
import { newWorker, STAKE_MIST } from "./fixtures.ts";

let stack: Stack;
let core: CoreV1Api;
let watcher: ActivationWatcher;
const nodeId = uniqueNamespace("join");

before(async () => {
  const cluster = await testCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  stack = await openStack(cluster.kubeConfig());
  await stack.startControl();
  watcher = new ActivationWatcher(stack.client, stack.packageId, stack.clusterId);
});

after(async () => {
  await watcher?.close();
  await stack?.close();
  await core?.deleteNode({ name: nodeId }).catch(() => undefined);
});

test("a join token works once, and only for the worker it was sealed to", async () => {
  const worker = await newWorker(stack, watcher, nodeId, 1_000);
  await assert.rejects(worker.chain.register(nodeId, worker.key.publicKey, 1n), (error) => {
    assert.ok(error instanceof MoveAbortError);
    assert.equal(error.constantName, "EStakeTooLow");
    return true;
  });
  await worker.agent.register(STAKE_MIST);
  const credential = await worker.agent.awaitCredential();
  assert.match(credential.token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  const secret = await core.readNamespacedSecret({
    namespace: "kube-system",
    name: `bootstrap-token-${credential.token.split(".")[0]}`,
  });
  assert.equal(secret.type, "bootstrap.kubernetes.io/token");
  assert.equal(secret.metadata?.labels?.[LABEL_WORKER], nodeId);

  const joiner = new SimulatedJoiner();
  const [id] = credential.token.split(".");
  await assert.rejects(
    joiner.join(nodeId, { ...credential, token: `${id}.${"x".repeat(16)}` }),
    { code: "WORKER_JOIN_REFUSED" },
    "a guessed secret is refused",
  );
  await assert.rejects(
    joiner.join(`${nodeId}-other`, credential),
    { code: "WORKER_JOIN_REFUSED" },
    "the token is bound to its worker's node id",
  );
  await joiner.join(nodeId, credential);
  const node = await core.readNode({ name: nodeId });
  assert.equal(node.metadata?.labels?.[LABEL_WORKER], nodeId);
  assert.equal(node.metadata?.labels?.[LABEL_WORKER_ACTIVE], "true");
  assert.equal(node.metadata?.labels?.[LABEL_STAKE_TIER], "high");
  await assert.rejects(
    joiner.join(nodeId, credential),
    { code: "WORKER_JOIN_REFUSED" },
    "the token is single-use",
  );
});

test("signed calls posted at once land in sequence order, none re-signed", async () => {
  const workers = stack.control?.workers;
  assert.ok(workers, "worker management runs by default");
  await Promise.all(Array.from({ length: 6 }, () => workers.reportClusterState()));
  const { events } = await stack.client.listEvents({
    filter: { eventType: eventType(stack.packageId, "ClusterStateEvent") },
    limit: 50,
  });
  const reports = events
    .map((event) => ClusterStateEvent.parse(event.bcs))
    .filter((report) => report.cluster_id === stack.clusterId);
  assert.equal(reports.length, 6);
  const sequences = reports.map((report) => BigInt(report.sequence));
  for (let i = 1; i < sequences.length; i++) {
    assert.equal(sequences[i], (sequences[i - 1] ?? 0n) + 1n, "contiguous: nothing was re-signed");
  }
  // The shared cluster may gain or lose other tests' nodes meanwhile: counts, not equality.
  const last = reports.at(-1);
  assert.ok(
    Number(last?.node_count) >= 1 && Number(last?.ready_node_count) <= Number(last?.node_count),
  );
  const summary = JSON.parse(reports.at(-1)?.usage_summary ?? "{}") as {
    workers?: Record<string, number>;
  };
  assert.equal(summary.workers?.active, 1);
});
