// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// Every event the package emits, in one place, so off-chain decoders (`src/protocol/`)
/// mirror one file. Field order is the BCS layout; never reorder, only append new events.
module k8s_daas::events;

use std::string::String;
use sui::event;

/// `NamespaceEvent.action`: a namespace was claimed.
const NAMESPACE_CLAIMED: u8 = 0;
/// `NamespaceEvent.action`: a namespace moved to a new owner.
const NAMESPACE_TRANSFERRED: u8 = 1;
/// `NamespaceEvent.action`: a namespace was released.
const NAMESPACE_RELEASED: u8 = 2;

/// A cluster was created.
public struct ClusterCreatedEvent has copy, drop {
    cluster_id: ID,
    name: String,
    admin: address,
}

/// The cluster's configuration or pause state changed; carries the full new state.
public struct ClusterConfigEvent has copy, drop {
    cluster_id: ID,
    request_fee_mist: u64,
    min_worker_stake_mist: u64,
    heartbeat_period_ms: u64,
    unbonding_period_ms: u64,
    max_payload_bytes: u64,
    signature_window_ms: u64,
    paused: bool,
    request_timeout_ms: u64,
    require_sealed: bool,
}

/// The admin took `amount` MIST out of the treasury.
public struct TreasuryWithdrawnEvent has copy, drop {
    cluster_id: ID,
    amount: u64,
    recipient: address,
}

/// The enclave's expected PCRs or the dev-enclave switch changed.
public struct EnclaveConfigEvent has copy, drop {
    cluster_id: ID,
    pcrs: vector<vector<u8>>,
    allow_dev_enclave: bool,
}

/// An enclave key was registered. `kind`: 0 Nitro attestation, 1 dev, 2 rotation.
/// `encryption_key` is the X25519 key published with it: payloads are sealed to it from now.
/// `tls_key_sha256` is the SHA-256 of its TLS key's SPKI: clients pin the control plane to it.
public struct EnclaveRegisteredEvent has copy, drop {
    cluster_id: ID,
    public_key: vector<u8>,
    kind: u8,
    encryption_key: vector<u8>,
    tls_key_sha256: vector<u8>,
}

/// The enclave key was removed without a replacement (`disable_dev_enclave` removing a dev
/// key): signed messages abort until a key is registered again. `kind` is the removed
/// key's kind (1 dev).
public struct EnclaveKeyRemovedEvent has copy, drop {
    cluster_id: ID,
    public_key: vector<u8>,
    kind: u8,
}

/// A namespace was claimed (0), transferred (1) or released (2).
public struct NamespaceEvent has copy, drop {
    cluster_id: ID,
    namespace: String,
    cap_id: ID,
    owner: address,
    action: u8,
}

/// A tenant asked for Kubernetes work. `request_id` is unique and increasing per cluster.
/// `sealed`: `payload` is sealed to the enclave's encryption key (`requests::submit_sealed`).
public struct K8sAPIRequestEvent has copy, drop {
    cluster_id: ID,
    request_id: u64,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    payload: vector<u8>,
    priority: u8,
    requester: address,
    fee_mist: u64,
    timestamp_ms: u64,
    sealed: bool,
}

/// The requester cancelled a pending request and got its fee back.
public struct K8sAPIRequestCancelledEvent has copy, drop {
    cluster_id: ID,
    request_id: u64,
    requester: address,
    refund_mist: u64,
}

/// The enclave answered a request (signed; verified on chain).
public struct K8sAPIResultEvent has copy, drop {
    cluster_id: ID,
    request_id: u64,
    status_code: u16,
    output_sha256: vector<u8>,
    summary: String,
    requester: address,
    sequence: u64,
    timestamp_ms: u64,
}

/// A worker changed state. `action`: see `workers` (registered, heartbeat, activated,
/// deregistered, withdrawn, slashed, refused). `data` is the encrypted join credential on
/// activation, the reason on slashing and refusal, empty otherwise.
public struct WorkerNodeEvent has copy, drop {
    cluster_id: ID,
    node_id: String,
    owner: address,
    action: u8,
    stake_mist: u64,
    timestamp_ms: u64,
    data: vector<u8>,
}

/// The enclave's signed summary of the cluster's state.
public struct ClusterStateEvent has copy, drop {
    cluster_id: ID,
    node_count: u64,
    ready_node_count: u64,
    pod_count: u64,
    running_pod_count: u64,
    usage_summary: String,
    sequence: u64,
    timestamp_ms: u64,
}

/// `NamespaceEvent.action` for a claim.
public fun namespace_claimed(): u8 { NAMESPACE_CLAIMED }

/// `NamespaceEvent.action` for a transfer.
public fun namespace_transferred(): u8 { NAMESPACE_TRANSFERRED }

/// `NamespaceEvent.action` for a release.
public fun namespace_released(): u8 { NAMESPACE_RELEASED }

/// Emits `ClusterCreatedEvent`.
public(package) fun emit_cluster_created(cluster_id: ID, name: String, admin: address) {
    event::emit(ClusterCreatedEvent { cluster_id, name, admin });
}

/// Emits `ClusterConfigEvent`.
public(package) fun emit_config_updated(
    cluster_id: ID,
    request_fee_mist: u64,
    min_worker_stake_mist: u64,
    heartbeat_period_ms: u64,
    unbonding_period_ms: u64,
    max_payload_bytes: u64,
    signature_window_ms: u64,
    paused: bool,
    request_timeout_ms: u64,
    require_sealed: bool,
) {
    event::emit(ClusterConfigEvent {
        cluster_id,
        request_fee_mist,
        min_worker_stake_mist,
        heartbeat_period_ms,
        unbonding_period_ms,
        max_payload_bytes,
        signature_window_ms,
        paused,
        request_timeout_ms,
        require_sealed,
    });
}

/// Emits `TreasuryWithdrawnEvent`.
public(package) fun emit_treasury_withdrawn(cluster_id: ID, amount: u64, recipient: address) {
    event::emit(TreasuryWithdrawnEvent { cluster_id, amount, recipient });
}

/// Emits `EnclaveConfigEvent`.
public(package) fun emit_enclave_config(
    cluster_id: ID,
    pcrs: vector<vector<u8>>,
    allow_dev_enclave: bool,
) {
    event::emit(EnclaveConfigEvent { cluster_id, pcrs, allow_dev_enclave });
}

/// Emits `EnclaveRegisteredEvent`.
public(package) fun emit_enclave_registered(
    cluster_id: ID,
    public_key: vector<u8>,
    kind: u8,
    encryption_key: vector<u8>,
    tls_key_sha256: vector<u8>,
) {
    event::emit(EnclaveRegisteredEvent { cluster_id, public_key, kind, encryption_key, tls_key_sha256 });
}

/// Emits `EnclaveKeyRemovedEvent`.
public(package) fun emit_enclave_key_removed(cluster_id: ID, public_key: vector<u8>, kind: u8) {
    event::emit(EnclaveKeyRemovedEvent { cluster_id, public_key, kind });
}

/// Emits `NamespaceEvent`.
public(package) fun emit_namespace(
    cluster_id: ID,
    namespace: String,
    cap_id: ID,
    owner: address,
    action: u8,
) {
    event::emit(NamespaceEvent { cluster_id, namespace, cap_id, owner, action });
}

/// Builds a `K8sAPIRequestEvent` (also used by the golden-vector tests).
public(package) fun new_request_event(
    cluster_id: ID,
    request_id: u64,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    payload: vector<u8>,
    priority: u8,
    requester: address,
    fee_mist: u64,
    timestamp_ms: u64,
    sealed: bool,
): K8sAPIRequestEvent {
    K8sAPIRequestEvent {
        cluster_id,
        request_id,
        method,
        resource,
        namespace,
        name,
        payload,
        priority,
        requester,
        fee_mist,
        timestamp_ms,
        sealed,
    }
}

/// Emits a `K8sAPIRequestEvent` built by `new_request_event`.
public(package) fun emit_request(request_event: K8sAPIRequestEvent) {
    event::emit(request_event);
}

/// Emits `K8sAPIRequestCancelledEvent`.
public(package) fun emit_request_cancelled(
    cluster_id: ID,
    request_id: u64,
    requester: address,
    refund_mist: u64,
) {
    event::emit(K8sAPIRequestCancelledEvent { cluster_id, request_id, requester, refund_mist });
}

/// Emits `K8sAPIResultEvent`.
public(package) fun emit_result(
    cluster_id: ID,
    request_id: u64,
    status_code: u16,
    output_sha256: vector<u8>,
    summary: String,
    requester: address,
    sequence: u64,
    timestamp_ms: u64,
) {
    event::emit(K8sAPIResultEvent {
        cluster_id,
        request_id,
        status_code,
        output_sha256,
        summary,
        requester,
        sequence,
        timestamp_ms,
    });
}

/// Emits `WorkerNodeEvent`.
public(package) fun emit_worker(
    cluster_id: ID,
    node_id: String,
    owner: address,
    action: u8,
    stake_mist: u64,
    timestamp_ms: u64,
    data: vector<u8>,
) {
    event::emit(WorkerNodeEvent { cluster_id, node_id, owner, action, stake_mist, timestamp_ms, data });
}

/// Emits `ClusterStateEvent`.
public(package) fun emit_cluster_state(
    cluster_id: ID,
    node_count: u64,
    ready_node_count: u64,
    pod_count: u64,
    running_pod_count: u64,
    usage_summary: String,
    sequence: u64,
    timestamp_ms: u64,
) {
    event::emit(ClusterStateEvent {
        cluster_id,
        node_count,
        ready_node_count,
        pod_count,
        running_pod_count,
        usage_summary,
        sequence,
        timestamp_ms,
    });
}

// === Billing ===

/// The admin set the billing prices (MIST per unit-hour) and the treasury's share (basis
/// points of what a period collects).
public struct BillingPricesEvent has copy, drop {
    cluster_id: ID,
    cpu_core_hour_mist: u64,
    memory_gib_hour_mist: u64,
    storage_gib_hour_mist: u64,
    treasury_share_bps: u64,
}

/// A namespace's escrow changed. `action`: 0 deposited, 1 withdrawn, 2 charged (for
/// `period`), 3 suspended, 4 resumed. `amount_mist` is the deposit, withdrawal or charge
/// (for suspended: the debt); `balance_mist` and `debt_mist` are the escrow after it.
public struct EscrowEvent has copy, drop {
    cluster_id: ID,
    namespace: String,
    action: u8,
    amount_mist: u64,
    balance_mist: u64,
    debt_mist: u64,
    period: u64,
}

/// A billing period was reported: `billed_mist` charged to escrows, `collected_mist` of it
/// paid, split into `workers_mist` credited and `treasury_mist` kept.
public struct UsageReportedEvent has copy, drop {
    cluster_id: ID,
    period: u64,
    period_start_ms: u64,
    period_end_ms: u64,
    billed_mist: u64,
    collected_mist: u64,
    workers_mist: u64,
    treasury_mist: u64,
    sequence: u64,
}

/// A worker's earnings changed. `action`: 0 credited (for `period`), 1 claimed.
/// `balance_mist` is what stays unclaimed after it.
public struct WorkerEarningsEvent has copy, drop {
    cluster_id: ID,
    node_id: String,
    action: u8,
    amount_mist: u64,
    balance_mist: u64,
    period: u64,
}

/// Emits `BillingPricesEvent`.
public(package) fun emit_billing_prices(
    cluster_id: ID,
    cpu_core_hour_mist: u64,
    memory_gib_hour_mist: u64,
    storage_gib_hour_mist: u64,
    treasury_share_bps: u64,
) {
    event::emit(BillingPricesEvent {
        cluster_id,
        cpu_core_hour_mist,
        memory_gib_hour_mist,
        storage_gib_hour_mist,
        treasury_share_bps,
    });
}

/// Emits `EscrowEvent`.
public(package) fun emit_escrow(
    cluster_id: ID,
    namespace: String,
    action: u8,
    amount_mist: u64,
    balance_mist: u64,
    debt_mist: u64,
    period: u64,
) {
    event::emit(EscrowEvent { cluster_id, namespace, action, amount_mist, balance_mist, debt_mist, period });
}

/// Emits `UsageReportedEvent`.
public(package) fun emit_usage_reported(
    cluster_id: ID,
    period: u64,
    period_start_ms: u64,
    period_end_ms: u64,
    billed_mist: u64,
    collected_mist: u64,
    workers_mist: u64,
    treasury_mist: u64,
    sequence: u64,
) {
    event::emit(UsageReportedEvent {
        cluster_id,
        period,
        period_start_ms,
        period_end_ms,
        billed_mist,
        collected_mist,
        workers_mist,
        treasury_mist,
        sequence,
    });
}

/// Emits `WorkerEarningsEvent`.
public(package) fun emit_worker_earnings(
    cluster_id: ID,
    node_id: String,
    action: u8,
    amount_mist: u64,
    balance_mist: u64,
    period: u64,
) {
    event::emit(WorkerEarningsEvent { cluster_id, node_id, action, amount_mist, balance_mist, period });
}
