// Twins of move/tests/workers_tests.move.
import assert from "node:assert/strict";
import { describe } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import { WORKER_ACTION, WORKER_STATUS, WorkerNodeEvent } from "../../src/protocol/index.ts";
import { WorkerCapObject } from "../../src/protocol/objects.ts";
import { arg, expectAbort, GOLDEN_MS, golden, type Scenario, twin } from "./fixture.ts";

const NODE = "node-1";
const MIN_STAKE = 1_000_000_000n;
const U64_MAX = 18_446_744_073_709_551_615n;

/** The accessors Move tests read a worker with. */
const worker = {
  exists: (s: Scenario) => s.view("workers::exists", [arg.string(NODE)], bcs.bool()),
  status: (s: Scenario) => s.view("workers::status", [arg.string(NODE)], bcs.u8()),
  stake: (s: Scenario) => s.view("workers::stake_mist", [arg.string(NODE)], bcs.u64()),
  owner: (s: Scenario) => s.view("workers::owner", [arg.string(NODE)], bcs.Address),
  encryptionKey: (s: Scenario) =>
    s.view("workers::encryption_key", [arg.string(NODE)], bcs.byteVector()),
  lastHeartbeat: (s: Scenario) =>
    s.view("workers::last_heartbeat_ms", [arg.string(NODE)], bcs.u64()),
};

/** `register_with`: worker_owner registers `nodeId` with `key` and `stake`. */
const registerWith = (s: Scenario, nodeId: string, key: Uint8Array, stake: bigint) =>
  s.call(s.workerOwner, "register_worker_node", { node_id: nodeId, encryption_key: key, stake });

/** `activate`: `credential` with `golden::sig_activation_s1()` (signed over the golden credential). */
async function activate(s: Scenario, credential: Uint8Array) {
  const signature = await s.signed(
    "workerActivation",
    { node_id: NODE, encrypted_join_credential: golden.JOIN_CREDENTIAL },
    { sequence: 1n },
  );
  return s.call(s.admin, "activate_worker", {
    node_id: NODE,
    encrypted_join_credential: credential,
    ...signature,
  });
}

/** `slash`: `reason` with `golden::sig_slash_s1()` (signed over the golden reason). */
async function slash(s: Scenario, reason: string) {
  const signature = await s.signed(
    "slashVerdict",
    { node_id: NODE, reason: golden.SLASH_REASON },
    { sequence: 1n },
  );
  return s.call(s.admin, "slash_worker", { node_id: NODE, reason, ...signature });
}

/** `refuse_signed`: refuses node-1 with `reason` and `signature` (sequence 1, golden time). */
const refuseSigned = (s: Scenario, reason: string, signature: Record<string, unknown>) =>
  s.call(s.admin, "refuse_worker", { node_id: NODE, reason, ...signature });

/** `refuse`: `reason` with `golden::sig_refusal_s1()` (signed over the golden reason). */
async function refuse(s: Scenario, reason: string) {
  const signature = await s.signed(
    "workerRefusal",
    { node_id: NODE, reason: golden.REFUSAL_REASON },
    { sequence: 1n },
  );
  return refuseSigned(s, reason, signature);
}

const deregister = (s: Scenario, cap: string) =>
  s.call(s.workerOwner, "deregister_worker", { cap });

describe("conformance: workers", () => {
  twin("workers_tests::register_locks_the_stake_and_sends_a_worker_cap", async (s) => {
    const executed = await registerWith(s, NODE, golden.WORKER_ENCRYPTION_KEY, MIN_STAKE);
    const capId = s.created(executed, "WorkerCap");
    const cap = await s.object(capId, WorkerCapObject);
    assert.deepEqual(cap.value, { id: capId, cluster_id: s.clusterId, node_id: NODE });
    const owner = s.workerOwner.toSuiAddress();
    assert.deepEqual(cap.owner, { $kind: "AddressOwner", AddressOwner: owner });
    assert.equal(await worker.exists(s), true);
    assert.equal(await worker.status(s), WORKER_STATUS.pending);
    assert.equal(await worker.stake(s), String(MIN_STAKE));
    assert.equal(await worker.owner(s), owner);
    assert.deepEqual(await worker.encryptionKey(s), golden.WORKER_ENCRYPTION_KEY);
    assert.equal(await worker.lastHeartbeat(s), String(GOLDEN_MS));
    const [event] = s.eventsOf(executed, "WorkerNodeEvent");
    assert.deepEqual(event && { ...event, data: [...event.data] }, {
      cluster_id: s.clusterId,
      node_id: NODE,
      owner,
      action: WORKER_ACTION.registered,
      stake_mist: String(MIN_STAKE),
      timestamp_ms: String(GOLDEN_MS),
      data: [],
    });
  });

  twin("workers_tests::node_id_must_be_a_dns_label", async (s) => {
    await expectAbort(
      registerWith(s, "Node 1", golden.WORKER_ENCRYPTION_KEY, MIN_STAKE),
      "workers",
      "EInvalidNodeId",
    );
  });

  twin("workers_tests::encryption_key_must_be_32_bytes", async (s) => {
    await expectAbort(
      registerWith(s, NODE, new Uint8Array([1, 2]), MIN_STAKE),
      "workers",
      "EInvalidEncryptionKey",
    );
  });

  twin("workers_tests::node_id_is_unique_per_cluster", async (s) => {
    await s.registerWorker(NODE);
    await expectAbort(
      registerWith(s, NODE, golden.WORKER_ENCRYPTION_KEY, MIN_STAKE),
      "workers",
      "EWorkerExists",
    );
  });

  twin("workers_tests::stake_below_the_minimum_is_rejected", async (s) => {
    await expectAbort(
      registerWith(s, NODE, golden.WORKER_ENCRYPTION_KEY, MIN_STAKE - 1n),
      "workers",
      "EStakeTooLow",
    );
  });

  twin("workers_tests::registration_stops_while_paused", async (s) => {
    await s.call(s.admin, "pause");
    await expectAbort(
      registerWith(s, NODE, golden.WORKER_ENCRYPTION_KEY, MIN_STAKE),
      "cluster",
      "EPaused",
    );
  });

  twin("workers_tests::heartbeat_records_the_clock_and_emits_an_event", async (s) => {
    const cap = await s.registerWorker(NODE);
    s.devnet.clock.advance(30_000);
    const executed = await s.call(s.workerOwner, "worker_heartbeat", { cap });
    assert.equal(await worker.lastHeartbeat(s), String(GOLDEN_MS + 30_000));
    const events = s.eventsOf(executed, "WorkerNodeEvent");
    assert.equal(events.length, 1);
    assert.equal(events[0]?.action, WORKER_ACTION.heartbeat);
    assert.equal(events[0]?.timestamp_ms, String(GOLDEN_MS + 30_000));
  });

  twin("workers_tests::a_worker_cap_of_another_cluster_is_refused", async (s) => {
    const second = await s.createSecondCluster();
    const foreign = await s.registerWorker(NODE, second.clusterId);
    await expectAbort(
      s.call(s.workerOwner, "worker_heartbeat", { cap: foreign }),
      "workers",
      "EWrongWorkerCap",
    );
  });

  twin("workers_tests::activation_publishes_the_encrypted_join_credential", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    const executed = await activate(s, golden.JOIN_CREDENTIAL);
    assert.equal(await worker.status(s), WORKER_STATUS.active);
    assert.equal((await s.cluster()).last_sequence, "1");
    const expected = WorkerNodeEvent.serialize({
      cluster_id: s.clusterId,
      node_id: NODE,
      owner: s.workerOwner.toSuiAddress(),
      action: WORKER_ACTION.activated,
      stake_mist: MIN_STAKE,
      timestamp_ms: GOLDEN_MS,
      data: golden.JOIN_CREDENTIAL,
    }).toBytes();
    assert.deepEqual(s.eventBytes(executed, "WorkerNodeEvent"), [expected]);
  });

  twin("workers_tests::activation_needs_a_credential", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    await expectAbort(activate(s, new Uint8Array()), "workers", "EInvalidCredential");
  });

  twin("workers_tests::activating_an_unknown_worker_aborts", async (s) => {
    await s.registerGoldenEnclave();
    await expectAbort(activate(s, golden.JOIN_CREDENTIAL), "workers", "EWorkerNotFound");
  });

  twin("workers_tests::a_deregistered_worker_cannot_be_activated", async (s) => {
    await s.registerGoldenEnclave();
    const cap = await s.registerWorker(NODE);
    await deregister(s, cap);
    await expectAbort(activate(s, golden.JOIN_CREDENTIAL), "workers", "EWorkerNotPending");
  });

  twin("workers_tests::activation_with_a_credential_other_than_signed_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    await expectAbort(
      activate(s, new Uint8Array([0xde, 0xad, 0xbe, 0xef])),
      "enclave",
      "EInvalidSignature",
    );
  });

  twin("workers_tests::deregister_then_withdraw_after_unbonding_returns_the_stake", async (s) => {
    const cap = await s.registerWorker(NODE);
    const deregistered = await deregister(s, cap);
    assert.equal(await worker.status(s), WORKER_STATUS.unbonding);
    assert.equal(
      s.eventsOf(deregistered, "WorkerNodeEvent")[0]?.action,
      WORKER_ACTION.deregistered,
    );
    s.devnet.clock.advance(Number((await s.cluster()).config.unbonding_period_ms));
    const executed = await s.call(s.workerOwner, "withdraw_stake", { cap });
    assert.equal(await worker.exists(s), false);
    assert.equal(await s.exists(cap), false);
    const owner = s.workerOwner.toSuiAddress();
    assert.deepEqual(await s.createdCoins(executed), [{ owner, value: MIN_STAKE }]);
    const [event] = s.eventsOf(executed, "WorkerNodeEvent");
    assert.equal(event?.action, WORKER_ACTION.withdrawn);
    assert.equal(event?.stake_mist, String(MIN_STAKE));
  });

  twin("workers_tests::withdraw_before_the_unbonding_period_aborts", async (s) => {
    const cap = await s.registerWorker(NODE);
    await deregister(s, cap);
    s.devnet.clock.advance(Number((await s.cluster()).config.unbonding_period_ms) - 1);
    await expectAbort(
      s.call(s.workerOwner, "withdraw_stake", { cap }),
      "workers",
      "EUnbondingNotOver",
    );
  });

  twin("workers_tests::withdraw_without_deregistering_aborts", async (s) => {
    const cap = await s.registerWorker(NODE);
    await expectAbort(
      s.call(s.workerOwner, "withdraw_stake", { cap }),
      "workers",
      "EWorkerNotUnbonding",
    );
  });

  twin("workers_tests::an_unbonding_worker_cannot_heartbeat", async (s) => {
    const cap = await s.registerWorker(NODE);
    await deregister(s, cap);
    await expectAbort(
      s.call(s.workerOwner, "worker_heartbeat", { cap }),
      "workers",
      "EWorkerNotLive",
    );
  });

  twin("workers_tests::deregistering_twice_aborts", async (s) => {
    const cap = await s.registerWorker(NODE);
    await deregister(s, cap);
    await expectAbort(deregister(s, cap), "workers", "EWorkerNotLive");
  });

  twin("workers_tests::slash_moves_the_whole_stake_to_the_treasury", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    const executed = await slash(s, golden.SLASH_REASON);
    assert.equal(await worker.status(s), WORKER_STATUS.slashed);
    assert.equal(await worker.stake(s), "0");
    assert.equal((await s.cluster()).treasury, String(MIN_STAKE));
    const expected = WorkerNodeEvent.serialize({
      cluster_id: s.clusterId,
      node_id: NODE,
      owner: s.workerOwner.toSuiAddress(),
      action: WORKER_ACTION.slashed,
      stake_mist: MIN_STAKE,
      timestamp_ms: GOLDEN_MS,
      data: new TextEncoder().encode(golden.SLASH_REASON),
    }).toBytes();
    assert.deepEqual(s.eventBytes(executed, "WorkerNodeEvent"), [expected]);
  });

  twin("workers_tests::a_slashed_worker_cannot_withdraw", async (s) => {
    await s.registerGoldenEnclave();
    const cap = await s.registerWorker(NODE);
    await slash(s, golden.SLASH_REASON);
    await expectAbort(
      s.call(s.workerOwner, "withdraw_stake", { cap }),
      "workers",
      "EWorkerSlashed",
    );
  });

  twin("workers_tests::a_worker_is_slashed_only_once", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    await slash(s, golden.SLASH_REASON);
    await expectAbort(slash(s, golden.SLASH_REASON), "workers", "EWorkerSlashed");
  });

  twin("workers_tests::slash_reason_over_256_bytes_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    await expectAbort(slash(s, "r".repeat(257)), "workers", "EReasonTooLong");
  });

  twin("workers_tests::a_huge_unbonding_period_does_not_overflow", async (s) => {
    await s.call(s.admin, "set_unbonding_period", { period_ms: U64_MAX });
    const cap = await s.registerWorker(NODE);
    await deregister(s, cap);
    await expectAbort(
      s.call(s.workerOwner, "withdraw_stake", { cap }),
      "workers",
      "EUnbondingNotOver",
    );
  });

  twin("workers_tests::refusal_marks_the_worker_refused_and_publishes_the_reason", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    const executed = await refuse(s, golden.REFUSAL_REASON);
    assert.equal(await worker.status(s), WORKER_STATUS.refused);
    assert.equal(await worker.stake(s), String(MIN_STAKE));
    const cluster = await s.cluster();
    assert.equal(cluster.treasury, "0");
    assert.equal(cluster.last_sequence, "1");
    const expected = WorkerNodeEvent.serialize({
      cluster_id: s.clusterId,
      node_id: NODE,
      owner: s.workerOwner.toSuiAddress(),
      action: WORKER_ACTION.refused,
      stake_mist: MIN_STAKE,
      timestamp_ms: GOLDEN_MS,
      data: new TextEncoder().encode(golden.REFUSAL_REASON),
    }).toBytes();
    assert.deepEqual(s.eventBytes(executed, "WorkerNodeEvent"), [expected]);
  });

  twin("workers_tests::a_refused_worker_withdraws_its_stake_at_once", async (s) => {
    await s.registerGoldenEnclave();
    const cap = await s.registerWorker(NODE);
    await refuse(s, golden.REFUSAL_REASON);
    // The clock has not moved since the refusal: no unbonding for a worker that never served.
    const executed = await s.call(s.workerOwner, "withdraw_stake", { cap });
    assert.equal(await worker.exists(s), false);
    assert.equal(await s.exists(cap), false);
    const owner = s.workerOwner.toSuiAddress();
    assert.deepEqual(await s.createdCoins(executed), [{ owner, value: MIN_STAKE }]);
    assert.equal(s.eventsOf(executed, "WorkerNodeEvent")[0]?.action, WORKER_ACTION.withdrawn);
  });

  twin("workers_tests::an_active_worker_cannot_be_refused", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    await activate(s, golden.JOIN_CREDENTIAL);
    await expectAbort(refuse(s, golden.REFUSAL_REASON), "workers", "EWorkerNotPending");
  });

  twin("workers_tests::a_refused_worker_cannot_be_activated", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    await refuse(s, golden.REFUSAL_REASON);
    await expectAbort(activate(s, golden.JOIN_CREDENTIAL), "workers", "EWorkerNotPending");
  });

  twin("workers_tests::a_refused_worker_cannot_deregister", async (s) => {
    await s.registerGoldenEnclave();
    const cap = await s.registerWorker(NODE);
    await refuse(s, golden.REFUSAL_REASON);
    await expectAbort(deregister(s, cap), "workers", "EWorkerNotLive");
  });

  twin("workers_tests::refusing_an_unknown_worker_aborts", async (s) => {
    await s.registerGoldenEnclave();
    await expectAbort(refuse(s, golden.REFUSAL_REASON), "workers", "EWorkerNotFound");
  });

  twin("workers_tests::refusal_reason_over_256_bytes_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    await expectAbort(refuse(s, "r".repeat(257)), "workers", "EReasonTooLong");
  });

  twin("workers_tests::a_slash_verdict_signature_cannot_refuse", async (s) => {
    // A slash verdict has the refusal's exact fields; only the intent (2 vs 5) differs.
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    const slashSignature = await s.signed(
      "slashVerdict",
      { node_id: NODE, reason: golden.SLASH_REASON },
      { sequence: 1n },
    );
    await expectAbort(
      refuseSigned(s, golden.SLASH_REASON, slashSignature),
      "enclave",
      "EInvalidSignature",
    );
  });

  twin("workers_tests::a_refusal_with_a_reason_other_than_signed_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await s.registerWorker(NODE);
    await expectAbort(refuse(s, "no reason"), "enclave", "EInvalidSignature");
  });
});
