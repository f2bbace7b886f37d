import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { type InboxEvent, openControlState } from "../../src/control/inbox/index.ts";
import {
  eventType,
  K8sAPIRequestCancelledEvent,
  K8sAPIRequestEvent,
  K8sAPIResultEvent,
  NAMESPACE_ACTION,
  NamespaceEvent,
} from "../../src/protocol/index.ts";

const PKG = normalizeSuiAddress("0x6b38736461617300");
const CLUSTER = normalizeSuiAddress("0xc1");
const OTHER_CLUSTER = normalizeSuiAddress("0xc2");
const TENANT = normalizeSuiAddress("0xa1");
let digest = 0;

function open(path: string, clusterId = CLUSTER) {
  return openControlState(path, { clusterId, packageId: PKG });
}

/** Ingests like the pipeline does: the batch, then what it meant for requests. */
function ingest(state: ReturnType<typeof open>, events: InboxEvent[], cursor: string) {
  const result = state.inbox.ingest(events, cursor);
  return { ...result, ...state.requests.ingested(result.applied) };
}

function requestEvent(id: number, cluster = CLUSTER, pkg = PKG): InboxEvent {
  return {
    txDigest: `tx${++digest}`,
    eventIndex: 0,
    checkpoint: BigInt(digest),
    eventType: eventType(pkg, "K8sAPIRequestEvent"),
    bcs: K8sAPIRequestEvent.serialize({
      cluster_id: cluster,
      request_id: id,
      method: "POST",
      resource: "pods",
      namespace: "team-a",
      name: `pod-${id}`,
      payload: new TextEncoder().encode("{}"),
      priority: 3,
      requester: TENANT,
      fee_mist: 1_000_000n,
      timestamp_ms: 1_000,
      sealed: false,
    }).toBytes(),
  };
}

describe("control: inbox", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-inbox-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("stores events and cursor together; a redelivered event is recognized, not taken twice", () => {
    const state = open(join(dir, "a.sqlite"));
    const first = requestEvent(1);
    const r1 = ingest(state, [first, requestEvent(2)], "2:AA==");
    assert.deepEqual(
      r1.added.map((r) => r.requestId),
      [1n, 2n],
    );
    assert.equal(state.inbox.cursor(), "2:AA==");
    const r2 = ingest(state, [first], "3:AA==");
    assert.equal(r2.duplicates, 1);
    assert.equal(r2.added.length, 0);
    assert.equal(state.requests.inState(["queued"]).length, 2);
    state.inbox.close();
  });

  it("survives reopening: the cursor and every request's state are as they were", () => {
    const path = join(dir, "b.sqlite");
    const state = open(path);
    ingest(state, [requestEvent(7)], "9:AQ==");
    state.requests.markRunning(7n);
    state.inbox.close();
    const reopened = open(path);
    assert.equal(reopened.inbox.cursor(), "9:AQ==");
    const request = reopened.requests.get(7n);
    assert.equal(request?.state, "running");
    assert.equal(request?.attempts, 1);
    assert.equal(request?.name, "pod-7");
    reopened.inbox.close();
  });

  it("ignores requests addressed to another cluster and refuses a data dir of another cluster", () => {
    const path = join(dir, "c.sqlite");
    const state = open(path);
    const result = ingest(state, [requestEvent(1, OTHER_CLUSTER)], "1:AA==");
    assert.equal(result.added.length, 0);
    assert.equal(state.requests.get(1n), undefined);
    state.inbox.close();
    assert.throws(() => open(path, OTHER_CLUSTER), /belongs to cluster/);
  });

  it("never acts on an event of another package, even one shaped like ours", () => {
    const state = open(":memory:");
    const impostor = normalizeSuiAddress("0xbad");
    const result = ingest(state, [requestEvent(5, CLUSTER, impostor)], "1:AA==");
    assert.equal(result.applied.length, 0);
    assert.equal(result.added.length, 0);
    assert.equal(state.requests.get(5n), undefined, "no request from the impostor package");
    assert.equal(state.inbox.cursor(), "1:AA==", "the cursor still moves past it");
    const ours = ingest(state, [requestEvent(5)], "2:AA==");
    assert.deepEqual(
      ours.added.map((r) => r.requestId),
      [5n],
    );
  });

  it("applies cancellation (only while queued), results and namespace claims", () => {
    const state = open(":memory:");
    ingest(state, [requestEvent(1), requestEvent(2)], "1:AA==");
    state.requests.markRunning(2n);
    const cancel = (id: number): InboxEvent => ({
      txDigest: `cancel${id}`,
      eventIndex: 0,
      checkpoint: 5n,
      eventType: eventType(PKG, "K8sAPIRequestCancelledEvent"),
      bcs: K8sAPIRequestCancelledEvent.serialize({
        cluster_id: CLUSTER,
        request_id: id,
        requester: TENANT,
        refund_mist: 1n,
      }).toBytes(),
    });
    const cancelled = ingest(state, [cancel(1), cancel(2)], "2:AA==");
    assert.deepEqual(cancelled.cancelled, [1n]);
    assert.equal(state.requests.get(2n)?.state, "running");

    const result: InboxEvent = {
      txDigest: "done2",
      eventIndex: 0,
      checkpoint: 6n,
      eventType: eventType(PKG, "K8sAPIResultEvent"),
      bcs: K8sAPIResultEvent.serialize({
        cluster_id: CLUSTER,
        request_id: 2,
        status_code: 201,
        output_sha256: new Uint8Array(32),
        summary: "ok",
        requester: TENANT,
        sequence: 1,
        timestamp_ms: 1,
      }).toBytes(),
    };
    ingest(state, [result], "3:AA==");
    assert.equal(state.requests.get(2n)?.state, "reported");
    assert.equal(state.requests.get(2n)?.reportDigest, "done2");

    const claim = (action: number, owner = TENANT): InboxEvent => ({
      txDigest: `ns${action}${owner}`,
      eventIndex: 0,
      checkpoint: 7n,
      eventType: eventType(PKG, "NamespaceEvent"),
      bcs: NamespaceEvent.serialize({
        cluster_id: CLUSTER,
        namespace: "team-a",
        cap_id: normalizeSuiAddress("0xcab"),
        owner,
        action,
      }).toBytes(),
    });
    ingest(state, [claim(NAMESPACE_ACTION.claimed)], "4:AA==");
    assert.deepEqual(state.namespaces.get("team-a"), {
      namespace: "team-a",
      owner: TENANT,
      capId: normalizeSuiAddress("0xcab"),
      released: false,
    });
    ingest(state, [claim(NAMESPACE_ACTION.released)], "5:AA==");
    assert.equal(state.namespaces.get("team-a")?.released, true);
  });

  it("persists the outcome with its digest and hands out each enclave sequence once", () => {
    const path = join(dir, "d.sqlite");
    const state = open(path);
    ingest(state, [requestEvent(3)], "1:AA==");
    state.requests.markRunning(3n);
    const json = JSON.stringify({
      statusCode: 201,
      summary: "pod/pod-3 created",
      output: { kind: "Pod" },
    });
    state.requests.recordOutcome(
      3n,
      { statusCode: 201, summary: "pod/pod-3 created", output: { kind: "Pod" } },
      new Uint8Array(32).fill(7),
      json,
    );
    const done = state.requests.get(3n);
    assert.equal(done?.state, "done");
    assert.equal(done?.outcome?.json, json);
    assert.deepEqual(done?.outcome?.output, { kind: "Pod" });
    assert.deepEqual(state.sequences.reserve(2, 1n), [1n, 2n]);
    assert.deepEqual(state.sequences.reserve(1, 1n), [3n]);
    assert.deepEqual(state.sequences.reserve(1, 10n), [10n], "jumps ahead to the chain's sequence");
    state.inbox.close();
    const reopened = open(path);
    assert.deepEqual(
      reopened.sequences.reserve(1, 1n),
      [11n],
      "never reuses a sequence after a restart",
    );
    reopened.inbox.close();
  });
});
