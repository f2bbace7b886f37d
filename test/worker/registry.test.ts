import assert from "node:assert/strict";
import { test } from "node:test";
import { Inbox, type InboxEvent } from "../../src/control/inbox/index.ts";
import { WorkerRegistry } from "../../src/control/workers/index.ts";
import { eventType, WORKER_ACTION, WorkerNodeEvent } from "../../src/protocol/index.ts";

const PACKAGE = `0x${"00".repeat(31)}01`;
const CLUSTER = `0x${"ab".repeat(32)}`;
const OWNER = `0x${"cd".repeat(32)}`;
let sequence = 0;

function workerEvent(
  nodeId: string,
  action: number,
  timestampMs: number,
  cluster = CLUSTER,
): InboxEvent {
  sequence++;
  return {
    txDigest: `tx${sequence}`,
    eventIndex: 0,
    checkpoint: BigInt(sequence),
    eventType: eventType(PACKAGE, "WorkerNodeEvent"),
    bcs: WorkerNodeEvent.serialize({
      cluster_id: cluster,
      node_id: nodeId,
      owner: OWNER,
      action,
      stake_mist: 5n,
      timestamp_ms: BigInt(timestampMs),
      data: new Uint8Array(),
    }).toBytes(),
  };
}

function openRegistry() {
  const inbox = new Inbox(":memory:", { clusterId: CLUSTER });
  const seen: number[] = [];
  const registry = new WorkerRegistry({ onHeartbeat: (h) => seen.push(h.chainMs) });
  inbox.extend(registry);
  return { inbox, registry, seen };
}

test("worker events drive the registry; heartbeats never move time backwards", () => {
  const { inbox, registry, seen } = openRegistry();
  inbox.ingest([workerEvent("w1", WORKER_ACTION.registered, 1_000)], "c1");
  assert.equal(registry.get("w1")?.status, "pending");
  assert.equal(registry.get("w1")?.registeredTx, `tx${sequence}`);
  inbox.ingest(
    [
      workerEvent("w1", WORKER_ACTION.activated, 1_100),
      workerEvent("w1", WORKER_ACTION.heartbeat, 3_000),
      workerEvent("w1", WORKER_ACTION.heartbeat, 2_000),
    ],
    "c2",
  );
  assert.equal(registry.get("w1")?.status, "active");
  assert.equal(registry.get("w1")?.lastHeartbeatMs, 3_000);
  assert.deepEqual(seen, [3_000, 2_000]);
  inbox.ingest([workerEvent("w1", WORKER_ACTION.deregistered, 4_000)], "c3");
  assert.equal(registry.get("w1")?.status, "unbonding");
  inbox.ingest([workerEvent("w1", WORKER_ACTION.withdrawn, 5_000)], "c4");
  registry.setNodeState("w1", "removed");
  inbox.ingest([workerEvent("w1", WORKER_ACTION.registered, 6_000)], "c5");
  assert.deepEqual(
    { status: registry.get("w1")?.status, node: registry.get("w1")?.nodeState },
    { status: "pending", node: "none" },
    "a node id registered again starts over",
  );
  assert.equal(inbox.cursor(), "c5");
});

test("another cluster's workers and repeated events are ignored", () => {
  const { inbox, registry } = openRegistry();
  inbox.ingest([workerEvent("other", WORKER_ACTION.registered, 1, `0x${"ef".repeat(32)}`)], "c1");
  assert.equal(registry.get("other"), undefined);
  const registered = workerEvent("w2", WORKER_ACTION.registered, 10);
  const slashed = workerEvent("w2", WORKER_ACTION.slashed, 20);
  inbox.ingest([registered, slashed], "c2");
  const again = inbox.ingest([registered], "c3");
  assert.equal(again.duplicates, 1);
  assert.equal(registry.get("w2")?.status, "slashed", "a replayed registration does not revive it");
});

test("a failing extension rolls back the batch and its cursor together", () => {
  const inbox = new Inbox(":memory:", { clusterId: CLUSTER });
  const registry = new WorkerRegistry();
  inbox.extend(registry);
  inbox.extend({
    open: () => undefined,
    apply: () => {
      throw new Error("disk full");
    },
  });
  assert.throws(() => inbox.ingest([workerEvent("w3", WORKER_ACTION.registered, 1)], "c1"));
  assert.equal(inbox.cursor(), null);
  assert.equal(registry.get("w3"), undefined);
});

test("liveness counts from activation, not from a long wait before it", () => {
  const { inbox, registry } = openRegistry();
  inbox.ingest([workerEvent("w4", WORKER_ACTION.registered, 1_000)], "c1");
  inbox.ingest([workerEvent("w4", WORKER_ACTION.activated, 90_000)], "c2");
  assert.equal(registry.get("w4")?.lastHeartbeatMs, 90_000);
});
