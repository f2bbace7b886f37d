// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// The messages the enclave signs. Each is `BCS(IntentMessage { intent, timestamp_ms,
/// payload })` with one intent value per message kind, so a signature for one kind can
/// never be replayed as another. Every payload starts with the cluster id and the
/// per-cluster sequence number. Field order is the BCS layout (mirrored in `src/protocol/`).
module k8s_daas::messages;

use std::string::String;
use sui::bcs;

/// Intent of a request result (`requests::complete`).
const INTENT_REQUEST_RESULT: u8 = 0;
/// Intent of a worker activation carrying its join credential (`workers::activate_worker`).
const INTENT_WORKER_ACTIVATION: u8 = 1;
/// Intent of a slash verdict (`workers::slash_worker`).
const INTENT_SLASH_VERDICT: u8 = 2;
/// Intent of a cluster state report (`state::report_cluster_state`).
const INTENT_CLUSTER_STATE: u8 = 3;
/// Intent of a key rotation signed by the current key (`enclave::rotate_enclave_key`).
const INTENT_KEY_ROTATION: u8 = 4;
/// Intent of a refusal to activate a pending worker (`workers::refuse_worker`).
const INTENT_WORKER_REFUSAL: u8 = 5;

/// The signed envelope (Nautilus layout).
public struct IntentMessage<T: copy + drop> has copy, drop {
    intent: u8,
    timestamp_ms: u64,
    payload: T,
}

/// Result of one request.
public struct RequestResultPayload has copy, drop {
    cluster_id: ID,
    sequence: u64,
    request_id: u64,
    status_code: u16,
    output_sha256: vector<u8>,
    summary: String,
}

/// Activation of a worker: the join credential encrypted to the worker's key.
public struct WorkerActivationPayload has copy, drop {
    cluster_id: ID,
    sequence: u64,
    node_id: String,
    encrypted_join_credential: vector<u8>,
}

/// A verdict that a worker misbehaved; its whole stake goes to the treasury.
public struct SlashVerdictPayload has copy, drop {
    cluster_id: ID,
    sequence: u64,
    node_id: String,
    reason: String,
}

/// Summary of the cluster's state.
public struct ClusterStatePayload has copy, drop {
    cluster_id: ID,
    sequence: u64,
    node_count: u64,
    ready_node_count: u64,
    pod_count: u64,
    running_pod_count: u64,
    usage_summary: String,
}

/// Hand-over from the current enclave key to a new one, with the new key's X25519
/// encryption key (payloads are sealed to it from then on) and the SHA-256 of its TLS key
/// (clients pin the control plane to it). The last three fields are, byte for byte, the
/// `EnclavePublicKeys` the new key publishes.
public struct KeyRotationPayload has copy, drop {
    cluster_id: ID,
    sequence: u64,
    new_public_key: vector<u8>,
    new_encryption_key: vector<u8>,
    new_tls_key_sha256: vector<u8>,
}

/// The public keys one enclave publishes, in one layout: its ed25519 signing key, its
/// X25519 encryption key, and the SHA-256 of its TLS key's DER SubjectPublicKeyInfo. A
/// Nitro attestation's `user_data` is BCS of this struct (so the document attests all
/// three); a dev registration and a rotation pass the same three values.
public struct EnclavePublicKeys has copy, drop {
    public_key: vector<u8>,
    encryption_key: vector<u8>,
    tls_key_sha256: vector<u8>,
}

/// The enclave will not activate a pending worker (e.g. its node id names a Node that
/// already exists and was not made for it); `reason` says why.
public struct WorkerRefusalPayload has copy, drop {
    cluster_id: ID,
    sequence: u64,
    node_id: String,
    reason: String,
}

/// Intent value of `RequestResultPayload`.
public fun intent_request_result(): u8 { INTENT_REQUEST_RESULT }

/// Intent value of `WorkerActivationPayload`.
public fun intent_worker_activation(): u8 { INTENT_WORKER_ACTIVATION }

/// Intent value of `SlashVerdictPayload`.
public fun intent_slash_verdict(): u8 { INTENT_SLASH_VERDICT }

/// Intent value of `ClusterStatePayload`.
public fun intent_cluster_state(): u8 { INTENT_CLUSTER_STATE }

/// Intent value of `KeyRotationPayload`.
public fun intent_key_rotation(): u8 { INTENT_KEY_ROTATION }

/// Intent value of `WorkerRefusalPayload`.
public fun intent_worker_refusal(): u8 { INTENT_WORKER_REFUSAL }

/// The exact bytes the enclave signs: BCS of `IntentMessage { intent, timestamp_ms, payload }`.
public fun signing_bytes<T: copy + drop>(intent: u8, timestamp_ms: u64, payload: T): vector<u8> {
    bcs::to_bytes(&IntentMessage { intent, timestamp_ms, payload })
}

/// Builds a `RequestResultPayload`.
public fun request_result(
    cluster_id: ID,
    sequence: u64,
    request_id: u64,
    status_code: u16,
    output_sha256: vector<u8>,
    summary: String,
): RequestResultPayload {
    RequestResultPayload { cluster_id, sequence, request_id, status_code, output_sha256, summary }
}

/// Builds a `WorkerActivationPayload`.
public fun worker_activation(
    cluster_id: ID,
    sequence: u64,
    node_id: String,
    encrypted_join_credential: vector<u8>,
): WorkerActivationPayload {
    WorkerActivationPayload { cluster_id, sequence, node_id, encrypted_join_credential }
}

/// Builds a `SlashVerdictPayload`.
public fun slash_verdict(
    cluster_id: ID,
    sequence: u64,
    node_id: String,
    reason: String,
): SlashVerdictPayload {
    SlashVerdictPayload { cluster_id, sequence, node_id, reason }
}

/// Builds a `ClusterStatePayload`.
public fun cluster_state(
    cluster_id: ID,
    sequence: u64,
    node_count: u64,
    ready_node_count: u64,
    pod_count: u64,
    running_pod_count: u64,
    usage_summary: String,
): ClusterStatePayload {
    ClusterStatePayload {
        cluster_id,
        sequence,
        node_count,
        ready_node_count,
        pod_count,
        running_pod_count,
        usage_summary,
    }
}

/// Builds a `KeyRotationPayload`.
public fun key_rotation(
    cluster_id: ID,
    sequence: u64,
    new_public_key: vector<u8>,
    new_encryption_key: vector<u8>,
    new_tls_key_sha256: vector<u8>,
): KeyRotationPayload {
    KeyRotationPayload { cluster_id, sequence, new_public_key, new_encryption_key, new_tls_key_sha256 }
}

/// Builds an `EnclavePublicKeys` (lengths are checked where keys are installed).
public fun enclave_public_keys(
    public_key: vector<u8>,
    encryption_key: vector<u8>,
    tls_key_sha256: vector<u8>,
): EnclavePublicKeys {
    EnclavePublicKeys { public_key, encryption_key, tls_key_sha256 }
}

/// The ed25519 signing key of an `EnclavePublicKeys`.
public(package) fun keys_public_key(keys: &EnclavePublicKeys): vector<u8> { keys.public_key }

/// The X25519 encryption key of an `EnclavePublicKeys`.
public(package) fun keys_encryption_key(keys: &EnclavePublicKeys): vector<u8> { keys.encryption_key }

/// The TLS key hash of an `EnclavePublicKeys`.
public(package) fun keys_tls_key_sha256(keys: &EnclavePublicKeys): vector<u8> { keys.tls_key_sha256 }

/// Builds a `WorkerRefusalPayload`.
public fun worker_refusal(
    cluster_id: ID,
    sequence: u64,
    node_id: String,
    reason: String,
): WorkerRefusalPayload {
    WorkerRefusalPayload { cluster_id, sequence, node_id, reason }
}

// === Billing ===

/// Intent of a usage report for one billing period (`billing::report_usage`).
const INTENT_USAGE_REPORT: u8 = 6;

/// The resources used in one billing period, as metered by the enclave. `namespace_usage`
/// holds three values per entry of `namespaces`, in order: CPU in milli-core-ms, memory in
/// byte-ms, storage in byte-ms; `node_usage` holds the same three per entry of `node_ids`
/// (what the worker's node served). `period` counts reports from 1.
public struct UsageReportPayload has copy, drop {
    cluster_id: ID,
    sequence: u64,
    period: u64,
    period_start_ms: u64,
    period_end_ms: u64,
    namespaces: vector<String>,
    namespace_usage: vector<u128>,
    node_ids: vector<String>,
    node_usage: vector<u128>,
}

/// Intent value of `UsageReportPayload`.
public fun intent_usage_report(): u8 { INTENT_USAGE_REPORT }

/// Builds a `UsageReportPayload`.
public fun usage_report(
    cluster_id: ID,
    sequence: u64,
    period: u64,
    period_start_ms: u64,
    period_end_ms: u64,
    namespaces: vector<String>,
    namespace_usage: vector<u128>,
    node_ids: vector<String>,
    node_usage: vector<u128>,
): UsageReportPayload {
    UsageReportPayload {
        cluster_id,
        sequence,
        period,
        period_start_ms,
        period_end_ms,
        namespaces,
        namespace_usage,
        node_ids,
        node_usage,
    }
}
