// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// Worker nodes and their stakes. A machine owner registers a node with a stake and an
/// x25519 key, receives an owned `WorkerCap`, heartbeats with it; the enclave activates
/// the node by publishing its join credential encrypted to that key; `deregister_worker`
/// starts unbonding and `withdraw_stake` returns the stake after the unbonding period; an
/// enclave-signed verdict slashes the whole stake into the treasury. The enclave may
/// instead refuse a pending worker (`refuse_worker`, e.g. its node id names a Node that
/// already exists); a refused worker never served, so its owner withdraws at once. Records live as
/// dynamic fields `WorkerKey(node_id) -> Worker` on the cluster.
module k8s_daas::workers;

use std::string::String;
use sui::balance::Balance;
use sui::clock::Clock;
use sui::coin::Coin;
use sui::dynamic_field as df;
use sui::sui::SUI;
use k8s_daas::cluster::Cluster;
use k8s_daas::enclave;
use k8s_daas::events;
use k8s_daas::messages;
use k8s_daas::names;

// === Errors ===

/// The node id is not a DNS-1123 label.
const EInvalidNodeId: u64 = 500;
/// A worker with this node id is already registered.
const EWorkerExists: u64 = 501;
/// The stake is below the cluster's minimum.
const EStakeTooLow: u64 = 502;
/// No worker with this node id.
const EWorkerNotFound: u64 = 503;
/// The `WorkerCap` belongs to another cluster or node.
const EWrongWorkerCap: u64 = 504;
/// Only a registered, not yet activated worker can be activated or refused.
const EWorkerNotPending: u64 = 505;
/// The worker is unbonding, slashed or refused.
const EWorkerNotLive: u64 = 506;
/// The worker has neither deregistered nor been refused.
const EWorkerNotUnbonding: u64 = 507;
/// The unbonding period has not passed yet.
const EUnbondingNotOver: u64 = 508;
/// The worker was already slashed.
const EWorkerSlashed: u64 = 509;
/// The encryption key is not 32 bytes.
const EInvalidEncryptionKey: u64 = 510;
/// The encrypted join credential is empty or larger than `MAX_CREDENTIAL_BYTES`.
const EInvalidCredential: u64 = 511;
/// The slash or refusal reason is longer than `MAX_REASON_BYTES`.
const EReasonTooLong: u64 = 512;

const ENCRYPTION_KEY_BYTES: u64 = 32;
const MAX_CREDENTIAL_BYTES: u64 = 4096;
const MAX_REASON_BYTES: u64 = 256;

/// `Worker.status` / `WorkerNodeEvent.action` values.
const STATUS_PENDING: u8 = 0;
const STATUS_ACTIVE: u8 = 1;
const STATUS_UNBONDING: u8 = 2;
const STATUS_SLASHED: u8 = 3;
/// The enclave refused to activate it; the stake can be withdrawn at once.
const STATUS_REFUSED: u8 = 4;

const ACTION_REGISTERED: u8 = 0;
const ACTION_HEARTBEAT: u8 = 1;
const ACTION_ACTIVATED: u8 = 2;
const ACTION_DEREGISTERED: u8 = 3;
const ACTION_WITHDRAWN: u8 = 4;
const ACTION_SLASHED: u8 = 5;
const ACTION_REFUSED: u8 = 6;

/// Proof of owning worker `node_id` in cluster `cluster_id`.
public struct WorkerCap has key, store {
    id: UID,
    cluster_id: ID,
    node_id: String,
}

/// Dynamic-field key of a worker on the cluster.
public struct WorkerKey has copy, drop, store { node_id: String }

/// A worker's on-chain record.
public struct Worker has store {
    owner: address,
    stake: Balance<SUI>,
    encryption_key: vector<u8>,
    status: u8,
    registered_at_ms: u64,
    last_heartbeat_ms: u64,
    unbonding_since_ms: u64,
}

/// Seed entry point: registers node `node_id` with `stake` (>= the cluster's minimum) and
/// the worker's x25519 `encryption_key` (32 bytes); sends a `WorkerCap` to the sender.
/// Emits `WorkerNodeEvent{registered}`. Aborts `cluster::EPaused`, `EInvalidNodeId`,
/// `EInvalidEncryptionKey`, `EWorkerExists`, `EStakeTooLow`.
public entry fun register_worker_node(
    cluster: &mut Cluster,
    node_id: String,
    encryption_key: vector<u8>,
    stake: Coin<SUI>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    cluster.assert_not_paused();
    assert!(names::is_dns_label(&node_id), EInvalidNodeId);
    assert!(encryption_key.length() == ENCRYPTION_KEY_BYTES, EInvalidEncryptionKey);
    let key = WorkerKey { node_id };
    assert!(!df::exists_(cluster.uid(), key), EWorkerExists);
    let stake_mist = stake.value();
    assert!(stake_mist >= cluster.min_worker_stake_mist(), EStakeTooLow);
    let now = clock.timestamp_ms();
    df::add(cluster.uid_mut(), key, Worker {
        owner: ctx.sender(),
        stake: stake.into_balance(),
        encryption_key,
        status: STATUS_PENDING,
        registered_at_ms: now,
        last_heartbeat_ms: now,
        unbonding_since_ms: 0,
    });
    let cluster_id = object::id(cluster);
    transfer::public_transfer(WorkerCap { id: object::new(ctx), cluster_id, node_id }, ctx.sender());
    events::emit_worker(cluster_id, node_id, ctx.sender(), ACTION_REGISTERED, stake_mist, now, vector[]);
}

/// Seed entry point: the worker's owner reports it alive. Emits
/// `WorkerNodeEvent{heartbeat}`. Aborts `EWrongWorkerCap`, `EWorkerNotLive`.
public entry fun worker_heartbeat(cluster: &mut Cluster, cap: &WorkerCap, clock: &Clock, ctx: &TxContext) {
    let worker = borrow_for_cap_mut(cluster, cap);
    assert!(worker.status == STATUS_PENDING || worker.status == STATUS_ACTIVE, EWorkerNotLive);
    let now = clock.timestamp_ms();
    worker.last_heartbeat_ms = now;
    let stake_mist = worker.stake.value();
    events::emit_worker(cap.cluster_id, cap.node_id, ctx.sender(), ACTION_HEARTBEAT, stake_mist, now, vector[]);
}

/// The enclave admits a pending worker, publishing its join credential encrypted to the
/// worker's key (signed `WorkerActivationPayload`, intent 1). Anyone may submit it. Emits
/// `WorkerNodeEvent{activated, data: credential}`. Aborts `EInvalidCredential`,
/// `EWorkerNotFound`, `EWorkerNotPending`, and the `enclave` verifier's codes.
public fun activate_worker(
    cluster: &mut Cluster,
    node_id: String,
    encrypted_join_credential: vector<u8>,
    timestamp_ms: u64,
    sequence: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    let len = encrypted_join_credential.length();
    assert!(len > 0 && len <= MAX_CREDENTIAL_BYTES, EInvalidCredential);
    assert!(borrow_mut(cluster, node_id).status == STATUS_PENDING, EWorkerNotPending);
    let cluster_id = object::id(cluster);
    let payload = messages::worker_activation(cluster_id, sequence, node_id, encrypted_join_credential);
    let message = messages::signing_bytes(messages::intent_worker_activation(), timestamp_ms, payload);
    enclave::verify_enclave_message(cluster, message, timestamp_ms, sequence, &signature, clock);
    let worker = borrow_mut(cluster, node_id);
    worker.status = STATUS_ACTIVE;
    let (owner, stake_mist) = (worker.owner, worker.stake.value());
    events::emit_worker(cluster_id, node_id, owner, ACTION_ACTIVATED, stake_mist, clock.timestamp_ms(), encrypted_join_credential);
}

/// The enclave refuses to activate a pending worker (signed `WorkerRefusalPayload`,
/// intent 5), for example because its node id names a Node that already exists in the
/// cluster and was not made for it. The worker is out for good; it never served, so its
/// owner may `withdraw_stake` at once (no deregistration, no unbonding). Anyone may submit
/// it. Emits `WorkerNodeEvent{refused, data: reason}`. Aborts `EReasonTooLong`,
/// `EWorkerNotFound`, `EWorkerNotPending`, and the `enclave` verifier's codes.
public fun refuse_worker(
    cluster: &mut Cluster,
    node_id: String,
    reason: String,
    timestamp_ms: u64,
    sequence: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    assert!(reason.length() <= MAX_REASON_BYTES, EReasonTooLong);
    assert!(borrow_mut(cluster, node_id).status == STATUS_PENDING, EWorkerNotPending);
    let cluster_id = object::id(cluster);
    let payload = messages::worker_refusal(cluster_id, sequence, node_id, reason);
    let message = messages::signing_bytes(messages::intent_worker_refusal(), timestamp_ms, payload);
    enclave::verify_enclave_message(cluster, message, timestamp_ms, sequence, &signature, clock);
    let worker = borrow_mut(cluster, node_id);
    worker.status = STATUS_REFUSED;
    let (owner, stake_mist) = (worker.owner, worker.stake.value());
    events::emit_worker(cluster_id, node_id, owner, ACTION_REFUSED, stake_mist, clock.timestamp_ms(), reason.into_bytes());
}

/// The owner takes the worker out of service; its stake starts unbonding. A refused worker
/// is not live: its owner withdraws directly. Emits `WorkerNodeEvent{deregistered}`.
/// Aborts `EWrongWorkerCap`, `EWorkerNotLive`.
public fun deregister_worker(cluster: &mut Cluster, cap: &WorkerCap, clock: &Clock, ctx: &TxContext) {
    let worker = borrow_for_cap_mut(cluster, cap);
    assert!(worker.status == STATUS_PENDING || worker.status == STATUS_ACTIVE, EWorkerNotLive);
    let now = clock.timestamp_ms();
    worker.status = STATUS_UNBONDING;
    worker.unbonding_since_ms = now;
    let stake_mist = worker.stake.value();
    events::emit_worker(cap.cluster_id, cap.node_id, ctx.sender(), ACTION_DEREGISTERED, stake_mist, now, vector[]);
}

/// After the unbonding period, or at once for a refused worker, returns the stake to the
/// sender and deletes the worker and its cap; the node id becomes free. Emits
/// `WorkerNodeEvent{withdrawn}`. Aborts `EWrongWorkerCap`, `EWorkerSlashed`,
/// `EWorkerNotUnbonding`, `EUnbondingNotOver`.
public fun withdraw_stake(cluster: &mut Cluster, cap: WorkerCap, clock: &Clock, ctx: &mut TxContext) {
    let unbonding_period = cluster.unbonding_period_ms();
    let worker = borrow_for_cap_mut(cluster, &cap);
    assert!(worker.status != STATUS_SLASHED, EWorkerSlashed);
    assert!(worker.status == STATUS_UNBONDING || worker.status == STATUS_REFUSED, EWorkerNotUnbonding);
    let now = clock.timestamp_ms();
    if (worker.status == STATUS_UNBONDING) {
        // The clock never goes back, so `now >= unbonding_since_ms`; no addition to overflow.
        assert!(now - worker.unbonding_since_ms >= unbonding_period, EUnbondingNotOver);
    };
    let WorkerCap { id, cluster_id, node_id } = cap;
    id.delete();
    let Worker { stake, .. } = df::remove(cluster.uid_mut(), WorkerKey { node_id });
    let stake_mist = stake.value();
    transfer::public_transfer(stake.into_coin(ctx), ctx.sender());
    events::emit_worker(cluster_id, node_id, ctx.sender(), ACTION_WITHDRAWN, stake_mist, now, vector[]);
}

/// The enclave's signed verdict (`SlashVerdictPayload`, intent 2) moves the worker's whole
/// stake to the treasury; the worker is out for good. Anyone may submit it. Emits
/// `WorkerNodeEvent{slashed, data: reason}`. Aborts `EReasonTooLong`, `EWorkerNotFound`,
/// `EWorkerSlashed`, and the `enclave` verifier's codes.
public fun slash_worker(
    cluster: &mut Cluster,
    node_id: String,
    reason: String,
    timestamp_ms: u64,
    sequence: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    assert!(reason.length() <= MAX_REASON_BYTES, EReasonTooLong);
    assert!(borrow_mut(cluster, node_id).status != STATUS_SLASHED, EWorkerSlashed);
    let cluster_id = object::id(cluster);
    let payload = messages::slash_verdict(cluster_id, sequence, node_id, reason);
    let message = messages::signing_bytes(messages::intent_slash_verdict(), timestamp_ms, payload);
    enclave::verify_enclave_message(cluster, message, timestamp_ms, sequence, &signature, clock);
    let worker = borrow_mut(cluster, node_id);
    worker.status = STATUS_SLASHED;
    let stake = worker.stake.withdraw_all();
    let (owner, stake_mist) = (worker.owner, stake.value());
    cluster.deposit(stake);
    events::emit_worker(cluster_id, node_id, owner, ACTION_SLASHED, stake_mist, clock.timestamp_ms(), reason.into_bytes());
}

/// True when a worker with this node id is registered.
public fun exists(cluster: &Cluster, node_id: String): bool {
    df::exists_(cluster.uid(), WorkerKey { node_id })
}

/// A worker's status: 0 pending, 1 active, 2 unbonding, 3 slashed, 4 refused (aborts
/// `EWorkerNotFound` if unknown).
public fun status(cluster: &Cluster, node_id: String): u8 {
    borrow(cluster, node_id).status
}

/// A worker's locked stake, MIST (aborts `EWorkerNotFound` if unknown).
public fun stake_mist(cluster: &Cluster, node_id: String): u64 {
    borrow(cluster, node_id).stake.value()
}

/// A worker's owner (aborts `EWorkerNotFound` if unknown).
public fun owner(cluster: &Cluster, node_id: String): address {
    borrow(cluster, node_id).owner
}

/// The worker's x25519 key its join credential is encrypted to (aborts `EWorkerNotFound`
/// if unknown).
public fun encryption_key(cluster: &Cluster, node_id: String): vector<u8> {
    borrow(cluster, node_id).encryption_key
}

/// When the worker last heartbeated, ms (aborts `EWorkerNotFound` if unknown).
public fun last_heartbeat_ms(cluster: &Cluster, node_id: String): u64 {
    borrow(cluster, node_id).last_heartbeat_ms
}

/// The node id a cap controls.
public fun cap_node_id(cap: &WorkerCap): String { cap.node_id }

/// The cluster a cap belongs to.
public fun cap_cluster_id(cap: &WorkerCap): ID { cap.cluster_id }

fun borrow(cluster: &Cluster, node_id: String): &Worker {
    let key = WorkerKey { node_id };
    assert!(df::exists_(cluster.uid(), key), EWorkerNotFound);
    df::borrow(cluster.uid(), key)
}

fun borrow_mut(cluster: &mut Cluster, node_id: String): &mut Worker {
    let key = WorkerKey { node_id };
    assert!(df::exists_(cluster.uid(), key), EWorkerNotFound);
    df::borrow_mut(cluster.uid_mut(), key)
}

/// The worker `cap` controls. A cap outlives nothing: withdraw deletes both, so a cap
/// whose record is missing is for another cluster.
fun borrow_for_cap_mut(cluster: &mut Cluster, cap: &WorkerCap): &mut Worker {
    assert!(cap.cluster_id == object::id(cluster), EWrongWorkerCap);
    borrow_mut(cluster, cap.node_id)
}
