// Retiring workers: one leaves before it joined, one is slashed and one withdraws while
// nautilus-control is down. Each retired worker's node is cordoned, drained and removed once,
// every join token it holds is revoked, and a restart repeats none of it. Real parts: the
// devnet, kube-testenv (KWOK nodes), the worker agent and its join; the slash verdict is
// posted with the control plane's own enclave key by a second holder of it (the run before
// the outage, which stopped before retiring the node).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CoreV1Api, type KubeConfig, Watch } from "@kubernetes/client-node";
import { issueBootstrapToken } from "../../src/control/workers/bootstrap-token.ts";
import { LABEL_WORKER, LABEL_WORKER_ACTIVE } from "../../src/control/workers/index.ts";
import { KubeApiClient } from "../../src/k8s/index.ts";
import { ActivationWatcher } from "../../src/worker/index.ts";
import { createTestNamespace, testCluster, uniqueNamespace, waitFor } from "../helpers/cluster.ts";
import { openEnclaveRig } from "../helpers/enclave-rig.ts";
import { type CapturedLog, captureLog } from "../helpers/log-capture.ts";
import { openStack, type Stack } from "../helpers/stack.ts";
import { newWorker, STAKE_MIST, setConfig, type TestWorker, workerNodes } from "./fixtures.ts";

const HOUR_MS = 3_600_000;
const suffix = uniqueNamespace("r").slice(2);
const EARLY = `early-${suffix}`;
const SLASHED = `slashed-${suffix}`;
const WITHDRAWN = `withdrawn-${suffix}`;
const LATE = `late-${suffix}`;
const ALL = [EARLY, SLASHED, WITHDRAWN, LATE];

let stack: Stack;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let watcher: ActivationWatcher;
const namespace = uniqueNamespace("retire");

before(async () => {
  const cluster = await testCluster();
  kubeConfig = cluster.kubeConfig();
  core = kubeConfig.makeApiClient(CoreV1Api);
  stack = await openStack(kubeConfig);
  // Nobody lapses during the test (none of these workers heartbeats), and a worker that
  // deregisters may withdraw at once.
  await setConfig(stack, "set_heartbeat_period", { period_ms: HOUR_MS });
  await setConfig(stack, "set_unbonding_period", { period_ms: 0 });
  watcher = new ActivationWatcher(stack.client, stack.packageId, stack.clusterId);
  await createTestNamespace(core, namespace);
});

after(async () => {
  await watcher?.close();
  await stack?.close();
  for (const name of ALL) {
    await core?.deleteNode({ name }).catch(() => undefined);
    await core
      ?.deleteCollectionNamespacedSecret({
        namespace: "kube-system",
        labelSelector: `${LABEL_WORKER}=${name}`,
      })
      .catch(() => undefined);
  }
  await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
});

/** Starts nautilus-control with its log captured: the log says what it retired, and why. */
async function startControl(): Promise<CapturedLog> {
  const captured = captureLog("info");
  await stack.startControl({ log: captured.log });
  return captured;
}

async function stopControl(): Promise<void> {
  await stack.control?.stop();
  stack.control = undefined;
}

async function registered(nodeId: string): Promise<TestWorker> {
  const worker = await newWorker(stack, watcher, nodeId, HOUR_MS);
  await worker.agent.register(STAKE_MIST);
  return worker;
}

async function tokensOf(nodeId: string): Promise<string[]> {
  const { items } = await core.listNamespacedSecret({
    namespace: "kube-system",
    labelSelector: `${LABEL_WORKER}=${nodeId}`,
  });
  return items.map((secret) => secret.metadata?.name ?? "");
}

const removals = (log: CapturedLog, nodeId: string) =>
  log.matching("worker retired", { worker: nodeId }).map((record) => record.why);

/** A node or pod change as the API server reported it, in etcd revision order. */
interface Change {
  type: string;
  kind: "node" | "pod";
  name: string;
  /** The object's resourceVersion: etcd's revision on this API server, so ordered across kinds. */
  revision: bigint;
  nodeName: string | undefined;
  unschedulable: boolean;
  activeLabel: string | undefined;
  deleting: boolean;
}

async function recordChanges(): Promise<{ changes: Change[]; stop(): void }> {
  const changes: Change[] = [];
  const watch = new Watch(kubeConfig);
  const onEvent =
    (kind: Change["kind"]) =>
    (
      type: string,
      object: {
        metadata?: {
          name?: string;
          resourceVersion?: string;
          labels?: Record<string, string>;
          deletionTimestamp?: unknown;
        };
        spec?: { unschedulable?: boolean; nodeName?: string };
      },
    ) => {
      changes.push({
        type,
        kind,
        name: object.metadata?.name ?? "",
        revision: BigInt(object.metadata?.resourceVersion ?? "0"),
        nodeName: object.spec?.nodeName,
        unschedulable: object.spec?.unschedulable === true,
        activeLabel: object.metadata?.labels?.[LABEL_WORKER_ACTIVE],
        deleting: object.metadata?.deletionTimestamp !== undefined,
      });
    };
  const ignore = () => {};
  const nodes = await watch.watch(
    "/api/v1/nodes",
    { labelSelector: LABEL_WORKER },
    onEvent("node"),
    ignore,
  );
  const pods = await watch.watch(
    `/api/v1/namespaces/${namespace}/pods`,
    {},
    onEvent("pod"),
    ignore,
  );
  return {
    changes,
    stop: () => {
      nodes.abort();
      pods.abort();
    },
  };
}

/** A pod bound to the worker's node (no scheduler involved), restricted-compliant. */
async function podOn(nodeId: string): Promise<string> {
  const name = `on-${nodeId}`;
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name },
      spec: {
        nodeName: nodeId,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "web",
            image: "nginxinc/nginx-unprivileged:1.27",
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ["ALL"] },
            },
          },
        ],
      },
    },
  });
  return name;
}

test("retired workers lose their node and tokens exactly once, across an outage and a restart", async () => {
  const first = await startControl();

  // --- activated, never joined, leaves: its token is revoked and its credential is useless ---
  const early = await registered(EARLY);
  await early.agent.awaitCredential();
  assert.equal((await tokensOf(EARLY)).length, 1, "the activation issued a token");
  await early.agent.leave();
  await waitFor("the early leaver retired", async () =>
    removals(first, EARLY).length > 0 ? true : undefined,
  );
  assert.deepEqual(removals(first, EARLY), ["left"]);
  assert.deepEqual(await tokensOf(EARLY), []);
  await assert.rejects(early.agent.join(), { code: "WORKER_JOIN_REFUSED" });
  assert.deepEqual(await workerNodes(core, [EARLY]), []);

  // --- two workers join and each hosts a pod; each also holds a second token (an
  // activation retried after an unknown outcome leaves one behind) ---
  const pods = new Map<string, string>();
  const joined = new Map<string, TestWorker>();
  for (const nodeId of [SLASHED, WITHDRAWN]) {
    const worker = await registered(nodeId);
    await worker.agent.join();
    joined.set(nodeId, worker);
    pods.set(nodeId, await podOn(nodeId));
    await issueBootstrapToken(new KubeApiClient(kubeConfig), nodeId, HOUR_MS);
    assert.equal((await tokensOf(nodeId)).length, 1);
  }
  await waitFor("both pods running on their workers", async () => {
    const { items } = await core.listNamespacedPod({ namespace });
    return items.filter((pod) => pod.status?.phase === "Running").length === 2 ? true : undefined;
  });

  // --- nautilus-control stops. Meanwhile one worker is slashed (the verdict of the run
  // before the outage) and the other leaves and withdraws its stake ---
  await stopControl();
  const previousRun = await openEnclaveRig(stack);
  await previousRun.poster.post("slash_worker", {
    node_id: SLASHED,
    reason: "missed heartbeats (posted just before the outage)",
  });
  previousRun.close();
  const withdrawing = joined.get(WITHDRAWN);
  assert.ok(withdrawing);
  await withdrawing.agent.leave();
  await withdrawing.agent.withdraw();

  // --- back up: both are cordoned, drained and removed, their tokens revoked ---
  const recorder = await recordChanges();
  try {
    const second = await startControl();
    await waitFor("both retired", async () =>
      removals(second, SLASHED).length > 0 && removals(second, WITHDRAWN).length > 0
        ? true
        : undefined,
    );
    assert.deepEqual(removals(second, SLASHED), ["slashed"]);
    assert.deepEqual(removals(second, WITHDRAWN), ["withdrawn"]);
    assert.deepEqual(removals(second, EARLY), [], "retired by the first run already");
    assert.deepEqual(await workerNodes(core, [SLASHED, WITHDRAWN]), []);
    for (const nodeId of [SLASHED, WITHDRAWN]) {
      assert.deepEqual(await tokensOf(nodeId), [], `${nodeId}'s tokens revoked`);
    }
    // Cordon, then the pod's eviction, then the node's deletion — each node deleted once.
    await waitFor("the pods' deletions seen", async () =>
      recorder.changes.filter((c) => c.kind === "pod" && c.type === "DELETED").length === 2
        ? true
        : undefined,
    );
    for (const nodeId of [SLASHED, WITHDRAWN]) {
      const ofNode = recorder.changes.filter((c) => c.kind === "node" && c.name === nodeId);
      const cordoned = ofNode.find(
        (c) => c.type === "MODIFIED" && c.unschedulable && c.activeLabel === undefined,
      );
      const deleted = ofNode.filter((c) => c.type === "DELETED");
      const ofPod = recorder.changes.filter((c) => c.kind === "pod" && c.name === pods.get(nodeId));
      const evicted = ofPod.find((c) => c.deleting);
      const podGone = ofPod.find((c) => c.type === "DELETED");
      assert.ok(cordoned && evicted && podGone, `${nodeId}: ${summarize([...ofNode, ...ofPod])}`);
      assert.equal(deleted.length, 1, `${nodeId} deleted once`);
      assert.ok(cordoned.revision < evicted.revision, `${nodeId}: cordoned before the eviction`);
      assert.ok(
        podGone.revision < (deleted[0]?.revision ?? 0n),
        `${nodeId}: drained before its node was deleted`,
      );
    }

    // --- a restart repeats nothing: the pass that activates a new worker goes over the
    // retired ones too, and stopping waits for that pass to end ---
    await stopControl();
    const third = await startControl();
    await (await registered(LATE)).agent.awaitCredential();
    await stopControl();
    assert.equal(third.matching("workers activated").length, 1);
    assert.deepEqual(third.matching("worker node removed"), []);
    const deletions = recorder.changes.filter((c) => c.kind === "node" && c.type === "DELETED");
    assert.deepEqual(deletions.map((c) => c.name).sort(), [SLASHED, WITHDRAWN].sort());
  } finally {
    recorder.stop();
  }
});

function summarize(changes: readonly Change[]): string {
  return changes
    .map((c) => `${c.kind} ${c.name} ${c.type}@${c.revision}${c.deleting ? " deleting" : ""}`)
    .join(", ");
}
