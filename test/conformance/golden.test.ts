// Twins of move/tests/golden_tests.move: the package's own BCS equals the golden vectors.
// On the devnet this means: the emitted event is the golden event's bytes, and a
// signature over the golden message bytes (not over anything TS builds) is accepted.
import assert from "node:assert/strict";
import { describe } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import { ClusterObject, K8sAPIRequestEvent } from "../../src/protocol/index.ts";
import { GOLDEN_MS, golden, type Scenario, twin } from "./fixture.ts";

/** A golden hex vector with the golden cluster id replaced by this devnet's cluster. */
function goldenBytesOnThisChain(s: Scenario, name: string): Uint8Array {
  const hex = golden.goldenVectors()[name];
  assert.ok(hex, `no golden vector ${name}`);
  const goldenId = golden.CLUSTER_ID.slice(2);
  assert.ok(hex.includes(goldenId), `${name} names the golden cluster`);
  return Buffer.from(hex.replaceAll(goldenId, s.clusterId.slice(2)), "hex");
}

describe("conformance: golden vectors", () => {
  twin("golden_tests::emitted_create_pod_event_matches_golden_vector", async (s) => {
    const { executed } = await s.submitGoldenPod();
    const expected = Buffer.from(golden.goldenVectors().request_event_bcs as string, "hex");
    const emitted = s.eventBytes(executed, "K8sAPIRequestEvent")[0];
    assert.ok(emitted);
    // Only the ids differ: the cluster's, and the tenant's address (0x7e in Move tests).
    const readdressed = K8sAPIRequestEvent.serialize({
      ...K8sAPIRequestEvent.parse(emitted),
      cluster_id: golden.CLUSTER_ID,
      requester: golden.TENANT,
    }).toBytes();
    assert.deepEqual(readdressed, new Uint8Array(expected));
  });

  twin("golden_tests::result_payload_bcs_matches_golden_vector", async (s) => {
    const payload = golden.resultPayload(1n, 1n);
    const bytes = await s.view(
      "messages::request_result",
      [
        bcs.Address.serialize(payload.cluster_id).toBytes(),
        bcs.u64().serialize(payload.sequence).toBytes(),
        bcs.u64().serialize(payload.request_id).toBytes(),
        bcs.u16().serialize(payload.status_code).toBytes(),
        bcs.byteVector().serialize(payload.output_sha256).toBytes(),
        bcs.string().serialize(payload.summary).toBytes(),
      ],
      { parse: (value: Uint8Array) => Buffer.from(value).toString("hex") },
      { onCluster: false },
    );
    assert.equal(bytes, golden.goldenVectors().result_payload_bcs);
  });

  twin("golden_tests::intent_values_are_distinct_per_message_kind", async (s) => {
    const intent = (kind: string) =>
      s.view(`messages::intent_${kind}`, [], bcs.u8(), { onCluster: false });
    assert.deepEqual(
      await Promise.all(
        [
          "request_result",
          "worker_activation",
          "slash_verdict",
          "cluster_state",
          "key_rotation",
          "worker_refusal",
        ].map(intent),
      ),
      [0, 1, 2, 3, 4, 5],
    );
  });

  twin("golden_tests::created_cluster_bcs_matches_golden_vector", async (s) => {
    const { object } = await s.client.getObject({
      objectId: s.clusterId,
      include: { content: true },
    });
    // Only the ids differ: the cluster's, and the admin's address (0xad in Move tests).
    const readdressed = ClusterObject.serialize({
      ...ClusterObject.parse(object.content),
      id: golden.CLUSTER_ID,
      admin: golden.ADMIN,
    }).toBytes();
    assert.equal(
      Buffer.from(readdressed).toString("hex"),
      golden.goldenVectors().created_cluster_bcs,
    );
  });

  twin("golden_tests::refusal_message_bytes_match_golden_vector", async (s) => {
    const payload = golden.refusalPayload;
    const bytes = await s.view(
      "messages::worker_refusal",
      [
        bcs.Address.serialize(payload.cluster_id).toBytes(),
        bcs.u64().serialize(payload.sequence).toBytes(),
        bcs.string().serialize(payload.node_id).toBytes(),
        bcs.string().serialize(payload.reason).toBytes(),
      ],
      { parse: (value: Uint8Array) => Buffer.from(value).toString("hex") },
      { onCluster: false },
    );
    assert.equal(bytes, golden.goldenVectors().refusal_payload_bcs);
    // The enclave's signature over the golden message bytes refuses the worker on chain.
    await s.registerGoldenEnclave();
    await s.registerWorker(payload.node_id);
    const message = goldenBytesOnThisChain(s, "refusal_intent_message_bcs");
    const executed = await s.call(s.admin, "refuse_worker", {
      node_id: payload.node_id,
      reason: payload.reason,
      timestamp_ms: GOLDEN_MS,
      sequence: payload.sequence,
      signature: await s.enclaveKey.sign(message),
    });
    assert.equal(s.eventsOf(executed, "WorkerNodeEvent").length, 1);
  });

  twin("golden_tests::intent_message_bytes_match_golden_vector", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    const message = goldenBytesOnThisChain(s, "result_intent_message_bcs");
    const executed = await s.call(s.admin, "complete", {
      request_id: 1n,
      status_code: 201,
      output_sha256: golden.OUTPUT_SHA256,
      summary: golden.RESULT_SUMMARY,
      timestamp_ms: GOLDEN_MS,
      sequence: 1n,
      signature: await s.enclaveKey.sign(message),
    });
    assert.equal(s.eventsOf(executed, "K8sAPIResultEvent").length, 1);
  });
});
