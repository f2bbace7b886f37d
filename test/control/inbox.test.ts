import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { Inbox, type InboxEvent } from "../../src/control/inbox.ts";
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

function requestEvent(id: number, cluster = CLUSTER): InboxEvent {
  return {
    txDigest: `tx${++digest}`,
    eventIndex: 0,
    checkpoint: BigInt(digest),
    eventType: eventType(PKG, "K8sAPIRequestEvent"),
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
    }).toBytes(),
  };
}

describe("control: inbox", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-inbox-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("stores events and cursor together; a redelivered event is recognized, not taken twice", () => {
    const inbox = new Inbox(join(dir, "a.sqlite"), CLUSTER);
    const first = requestEvent(1);
    const r1 = inbox.ingest([first, requestEvent(2)], "2:AA==");
    assert.deepEqual(
      r1.added.map((r) => r.requestId),
      [1n, 2n],
    );
    assert.equal(inbox.cursor(), "2:AA==");
    const r2 = inbox.ingest([first], "3:AA==");
    assert.equal(r2.duplicates, 1);
    assert.equal(r2.added.length, 0);
    assert.equal(inbox.inState(["queued"]).length, 2);
    inbox.close();
  });

  it("survives reopening: the cursor and every request's state are as they were", () => {
    const path = join(dir, "b.sqlite");
    const inbox = new Inbox(path, CLUSTER);
    inbox.ingest([requestEvent(7)], "9:AQ==");
    inbox.markRunning(7n);
    inbox.close();
    const reopened = new Inbox(path, CLUSTER);
    assert.equal(reopened.cursor(), "9:AQ==");
    const request = reopened.get(7n);
    assert.equal(request?.state, "running");
    assert.equal(request?.attempts, 1);
    assert.equal(request?.name, "pod-7");
    reopened.close();
  });

  it("ignores requests addressed to another cluster and refuses a data dir of another cluster", () => {
    const path = join(dir, "c.sqlite");
    const inbox = new Inbox(path, CLUSTER);
    const result = inbox.ingest([requestEvent(1, OTHER_CLUSTER)], "1:AA==");
    assert.equal(result.added.length, 0);
    inbox.close();
    assert.throws(() => new Inbox(path, OTHER_CLUSTER), /belongs to cluster/);
  });

  it("applies cancellation (only while queued), results and namespace claims", () => {
    const inbox = new Inbox(":memory:", CLUSTER);
    inbox.ingest([requestEvent(1), requestEvent(2)], "1:AA==");
    inbox.markRunning(2n);
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
    const cancelled = inbox.ingest([cancel(1), cancel(2)], "2:AA==");
    assert.deepEqual(cancelled.cancelled, [1n]);
    assert.equal(inbox.get(2n)?.state, "running");

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
    inbox.ingest([result], "3:AA==");
    assert.equal(inbox.get(2n)?.state, "reported");
    assert.equal(inbox.get(2n)?.reportDigest, "done2");

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
    inbox.ingest([claim(NAMESPACE_ACTION.claimed)], "4:AA==");
    assert.deepEqual(inbox.namespace("team-a"), {
      namespace: "team-a",
      owner: TENANT,
      capId: normalizeSuiAddress("0xcab"),
      released: false,
    });
    inbox.ingest([claim(NAMESPACE_ACTION.released)], "5:AA==");
    assert.equal(inbox.namespace("team-a")?.released, true);
  });

  it("persists the outcome with its digest and hands out each enclave sequence once", () => {
    const path = join(dir, "d.sqlite");
    const inbox = new Inbox(path, CLUSTER);
    inbox.ingest([requestEvent(3)], "1:AA==");
    inbox.markRunning(3n);
    const json = JSON.stringify({
      statusCode: 201,
      summary: "pod/pod-3 created",
      output: { kind: "Pod" },
    });
    inbox.recordOutcome(
      3n,
      { statusCode: 201, summary: "pod/pod-3 created", output: { kind: "Pod" } },
      new Uint8Array(32).fill(7),
      json,
    );
    const done = inbox.get(3n);
    assert.equal(done?.state, "done");
    assert.equal(done?.outcome?.json, json);
    assert.deepEqual(done?.outcome?.output, { kind: "Pod" });
    assert.deepEqual(inbox.reserveSequences(2, 1n), [1n, 2n]);
    assert.deepEqual(inbox.reserveSequences(1, 1n), [3n]);
    assert.deepEqual(inbox.reserveSequences(1, 10n), [10n], "jumps ahead to the chain's sequence");
    inbox.close();
    const reopened = new Inbox(path, CLUSTER);
    assert.deepEqual(
      reopened.reserveSequences(1, 1n),
      [11n],
      "never reuses a sequence after a restart",
    );
    reopened.close();
  });
});
