import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
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

test("a registration is its event's identity; binding, refusal and tokens start over with it", () => {
  const { inbox, registry } = openRegistry();
  const first = workerEvent("w5", WORKER_ACTION.registered, 1_000);
  inbox.ingest([{ ...first, eventIndex: 3 }], "c1");
  const registration = `${first.txDigest}:3`;
  assert.equal(registry.get("w5")?.registration, registration);
  registry.recordJoinToken(registration, "abc123");
  registry.bindNode("w5", "uid-1");
  registry.setRefusal("w5", "activation refused: node w5 exists");
  assert.deepEqual(
    {
      uid: registry.get("w5")?.nodeUid,
      state: registry.get("w5")?.nodeState,
      refusal: registry.get("w5")?.refusal,
      tokens: [...registry.joinTokensOf(registration)],
    },
    {
      uid: "uid-1",
      state: "joined",
      refusal: "activation refused: node w5 exists",
      tokens: ["abc123"],
    },
  );
  inbox.ingest([workerEvent("w5", WORKER_ACTION.refused, 1_100)], "c2");
  assert.equal(registry.get("w5")?.status, "refused");
  inbox.ingest([workerEvent("w5", WORKER_ACTION.withdrawn, 1_200)], "c3");
  const again = workerEvent("w5", WORKER_ACTION.registered, 2_000);
  inbox.ingest([again], "c4");
  const entry = registry.get("w5");
  assert.equal(entry?.registration, `${again.txDigest}:0`);
  assert.equal(entry?.nodeUid, undefined, "the new registration has bound no Node yet");
  assert.equal(entry?.refusal, undefined);
  assert.equal(registry.joinTokensOf(entry?.registration ?? "").size, 0);
  registry.forgetJoinTokens(registration);
  assert.equal(registry.joinTokensOf(registration).size, 0);
});

test("a registry table from before the binding gains its columns when opened", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-registry-"));
  const path = join(dir, "inbox.sqlite");
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE workers (
    node_id TEXT PRIMARY KEY, owner TEXT NOT NULL, stake_mist TEXT NOT NULL, status TEXT NOT NULL,
    registered_tx TEXT NOT NULL, last_heartbeat_ms INTEGER NOT NULL,
    node_state TEXT NOT NULL DEFAULT 'none', updated_checkpoint INTEGER NOT NULL)`);
  db.exec(`INSERT INTO workers VALUES ('old', '${OWNER}', '5', 'active', 'txold', 1, 'joined', 1)`);
  db.close();
  const inbox = new Inbox(path, { clusterId: CLUSTER });
  const registry = inbox.extend(new WorkerRegistry());
  const old = registry.get("old");
  assert.equal(old?.registration, "txold:0");
  assert.equal(old?.nodeUid, undefined, "its Node is not trusted as bound until re-bound");
  assert.equal(old?.nodeState, "joined");
  inbox.close();
  rmSync(dir, { recursive: true, force: true });
});
