// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// The shared `Cluster` object: configuration, admin authority, pause switch, treasury, the
/// enclave key slot and counters. Requests, namespaces and workers are dynamic fields on
/// the cluster's UID, each owned by its module (`requests`, `tenancy`, `workers`).
module k8s_daas::cluster;

use std::string::String;
use sui::balance::{Self, Balance};
use sui::coin;
use sui::sui::SUI;
use k8s_daas::events;

// === Errors ===

/// The `AdminCap` belongs to another cluster.
const ENotAdmin: u64 = 100;
/// The cluster is paused: no new requests, namespaces or workers.
const EPaused: u64 = 101;
/// A configuration value is out of its allowed range.
const EInvalidConfig: u64 = 102;
/// The treasury holds less than the amount asked for.
const EInsufficientTreasury: u64 = 103;
/// The cluster name is empty or longer than `MAX_CLUSTER_NAME_BYTES`.
const EInvalidClusterName: u64 = 104;

// === Defaults and limits ===

/// 0.001 SUI per request.
const DEFAULT_REQUEST_FEE_MIST: u64 = 1_000_000;
/// 1 SUI minimum worker stake.
const DEFAULT_MIN_WORKER_STAKE_MIST: u64 = 1_000_000_000;
const DEFAULT_HEARTBEAT_PERIOD_MS: u64 = 30_000;
/// One day.
const DEFAULT_UNBONDING_PERIOD_MS: u64 = 86_400_000;
/// A Sui pure argument is at most 16 KiB; the payload cannot be larger.
const MAX_PAYLOAD_BYTES_LIMIT: u64 = 16_384;
/// How far an enclave signature's timestamp may be from the on-chain clock.
const DEFAULT_SIGNATURE_WINDOW_MS: u64 = 300_000;
const MAX_CLUSTER_NAME_BYTES: u64 = 63;
/// One hour: how long a pending request must wait before its requester may cancel it.
const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 3_600_000;
/// `enclave_key_kind` of a key registered from a Nitro attestation (or no key at all).
const KEY_KIND_NITRO: u8 = 0;

/// Cluster configuration; every value is set by the admin.
public struct Config has copy, drop, store {
    request_fee_mist: u64,
    min_worker_stake_mist: u64,
    heartbeat_period_ms: u64,
    unbonding_period_ms: u64,
    max_payload_bytes: u64,
    signature_window_ms: u64,
    /// How long after `submit` a still-pending request becomes cancellable by its
    /// requester (the control plane never starts a request older than half of it).
    request_timeout_ms: u64,
    /// Every non-empty request payload must be sealed to the enclave's encryption key
    /// (`requests::submit_sealed`); a plaintext one aborts `requests::EPayloadNotSealed`.
    require_sealed: bool,
}

/// One Kubernetes cluster governed on chain. Shared.
public struct Cluster has key {
    id: UID,
    name: String,
    admin: address,
    config: Config,
    paused: bool,
    treasury: Balance<SUI>,
    /// Dev enclave registration allowed; once turned off it stays off.
    allow_dev_enclave: bool,
    /// Expected Nitro PCR0, PCR1, PCR2 (48 bytes each); empty until the admin sets them.
    pcrs: vector<vector<u8>>,
    /// The registered enclave's ed25519 public key; empty when none is registered.
    enclave_public_key: vector<u8>,
    /// The registered enclave's X25519 encryption key (32 bytes), installed and removed
    /// together with `enclave_public_key`: request payloads are sealed to it.
    enclave_encryption_key: vector<u8>,
    /// SHA-256 of the registered enclave's TLS public key (DER SubjectPublicKeyInfo), set and
    /// removed with `enclave_public_key`: clients refuse a control plane serving another key.
    enclave_tls_key_sha256: vector<u8>,
    /// Kind of the installed key: 0 Nitro-attested, 1 dev. A rotation keeps the kind of the
    /// key it replaces. Kept when `disable_dev_enclave` removes a dev key, so a rotation
    /// signed by that removed key is refused as dev (`enclave::EDevEnclaveDisabled`).
    enclave_key_kind: u8,
    /// Last accepted enclave message sequence; the next must be strictly greater.
    last_sequence: u64,
    /// Id the next submitted request gets (starts at 1).
    next_request_id: u64,
}

/// Authority over one cluster's configuration and treasury. Owned by the admin.
public struct AdminCap has key, store {
    id: UID,
    cluster_id: ID,
}

/// Creates a cluster named `name` with default configuration, shares it and sends its
/// `AdminCap` to the sender. Emits `ClusterCreatedEvent`. Aborts `EInvalidClusterName`.
public fun create_cluster(name: String, ctx: &mut TxContext) {
    let len = name.length();
    assert!(len > 0 && len <= MAX_CLUSTER_NAME_BYTES, EInvalidClusterName);
    let cluster = Cluster {
        id: object::new(ctx),
        name,
        admin: ctx.sender(),
        config: Config {
            request_fee_mist: DEFAULT_REQUEST_FEE_MIST,
            min_worker_stake_mist: DEFAULT_MIN_WORKER_STAKE_MIST,
            heartbeat_period_ms: DEFAULT_HEARTBEAT_PERIOD_MS,
            unbonding_period_ms: DEFAULT_UNBONDING_PERIOD_MS,
            max_payload_bytes: MAX_PAYLOAD_BYTES_LIMIT,
            signature_window_ms: DEFAULT_SIGNATURE_WINDOW_MS,
            request_timeout_ms: DEFAULT_REQUEST_TIMEOUT_MS,
            require_sealed: false,
        },
        paused: false,
        treasury: balance::zero(),
        allow_dev_enclave: true,
        pcrs: vector[],
        enclave_public_key: vector[],
        enclave_encryption_key: vector[],
        enclave_tls_key_sha256: vector[],
        enclave_key_kind: KEY_KIND_NITRO,
        last_sequence: 0,
        next_request_id: 1,
    };
    let cluster_id = object::id(&cluster);
    events::emit_cluster_created(cluster_id, cluster.name, ctx.sender());
    transfer::share_object(cluster);
    transfer::public_transfer(AdminCap { id: object::new(ctx), cluster_id }, ctx.sender());
}

/// Sets the fee every request must pay (MIST, may be 0). Admin only. Aborts `ENotAdmin`.
public fun set_request_fee(cluster: &mut Cluster, cap: &AdminCap, fee_mist: u64) {
    cluster.assert_admin(cap);
    cluster.config.request_fee_mist = fee_mist;
    cluster.emit_config_updated();
}

/// Sets the minimum stake (MIST, > 0) a worker must lock. Admin only.
/// Aborts `ENotAdmin`, `EInvalidConfig`.
public fun set_min_worker_stake(cluster: &mut Cluster, cap: &AdminCap, stake_mist: u64) {
    cluster.assert_admin(cap);
    assert!(stake_mist > 0, EInvalidConfig);
    cluster.config.min_worker_stake_mist = stake_mist;
    cluster.emit_config_updated();
}

/// Sets how often workers are expected to heartbeat (ms, > 0). Admin only.
/// Aborts `ENotAdmin`, `EInvalidConfig`.
public fun set_heartbeat_period(cluster: &mut Cluster, cap: &AdminCap, period_ms: u64) {
    cluster.assert_admin(cap);
    assert!(period_ms > 0, EInvalidConfig);
    cluster.config.heartbeat_period_ms = period_ms;
    cluster.emit_config_updated();
}

/// Sets how long a deregistered worker's stake stays locked (ms, may be 0). Admin only.
/// Aborts `ENotAdmin`.
public fun set_unbonding_period(cluster: &mut Cluster, cap: &AdminCap, period_ms: u64) {
    cluster.assert_admin(cap);
    cluster.config.unbonding_period_ms = period_ms;
    cluster.emit_config_updated();
}

/// Sets the largest request payload (bytes, 1..=16384). Admin only.
/// Aborts `ENotAdmin`, `EInvalidConfig`.
public fun set_max_payload_bytes(cluster: &mut Cluster, cap: &AdminCap, max_bytes: u64) {
    cluster.assert_admin(cap);
    assert!(max_bytes > 0 && max_bytes <= MAX_PAYLOAD_BYTES_LIMIT, EInvalidConfig);
    cluster.config.max_payload_bytes = max_bytes;
    cluster.emit_config_updated();
}

/// Sets the freshness window for enclave signatures (ms, > 0). Admin only.
/// Aborts `ENotAdmin`, `EInvalidConfig`.
public fun set_signature_window(cluster: &mut Cluster, cap: &AdminCap, window_ms: u64) {
    cluster.assert_admin(cap);
    assert!(window_ms > 0, EInvalidConfig);
    cluster.config.signature_window_ms = window_ms;
    cluster.emit_config_updated();
}

/// Sets how long (ms, > 0) a pending request must wait after `submit` before its requester
/// may `requests::cancel` it. Admin only. Aborts `ENotAdmin`, `EInvalidConfig`.
public fun set_request_timeout(cluster: &mut Cluster, cap: &AdminCap, timeout_ms: u64) {
    cluster.assert_admin(cap);
    assert!(timeout_ms > 0, EInvalidConfig);
    cluster.config.request_timeout_ms = timeout_ms;
    cluster.emit_config_updated();
}

/// Requires (or stops requiring) every non-empty request payload to be sealed to the
/// enclave's encryption key. Admin only. Emits `ClusterConfigEvent`. Aborts `ENotAdmin`.
public fun set_require_sealed(cluster: &mut Cluster, cap: &AdminCap, required: bool) {
    cluster.assert_admin(cap);
    cluster.config.require_sealed = required;
    cluster.emit_config_updated();
}

/// Stops new requests, namespace claims and worker registrations (idempotent). Admin only.
/// Aborts `ENotAdmin`.
public fun pause(cluster: &mut Cluster, cap: &AdminCap) {
    cluster.assert_admin(cap);
    cluster.paused = true;
    cluster.emit_config_updated();
}

/// Lifts a pause (idempotent). Admin only. Aborts `ENotAdmin`.
public fun unpause(cluster: &mut Cluster, cap: &AdminCap) {
    cluster.assert_admin(cap);
    cluster.paused = false;
    cluster.emit_config_updated();
}

/// Sends `amount` MIST from the treasury to `recipient`. Admin only. Emits
/// `TreasuryWithdrawnEvent`. Aborts `ENotAdmin`, `EInsufficientTreasury`.
public fun withdraw_treasury(
    cluster: &mut Cluster,
    cap: &AdminCap,
    amount: u64,
    recipient: address,
    ctx: &mut TxContext,
) {
    cluster.assert_admin(cap);
    assert!(cluster.treasury.value() >= amount, EInsufficientTreasury);
    let coin = coin::take(&mut cluster.treasury, amount, ctx);
    transfer::public_transfer(coin, recipient);
    events::emit_treasury_withdrawn(object::id(cluster), amount, recipient);
}

// === Reads ===

/// The cluster's name.
public fun name(cluster: &Cluster): String { cluster.name }

/// The address that created the cluster.
public fun admin(cluster: &Cluster): address { cluster.admin }

/// Fee per request, MIST.
public fun request_fee_mist(cluster: &Cluster): u64 { cluster.config.request_fee_mist }

/// Minimum worker stake, MIST.
public fun min_worker_stake_mist(cluster: &Cluster): u64 { cluster.config.min_worker_stake_mist }

/// Expected heartbeat period, ms.
public fun heartbeat_period_ms(cluster: &Cluster): u64 { cluster.config.heartbeat_period_ms }

/// Unbonding period, ms.
public fun unbonding_period_ms(cluster: &Cluster): u64 { cluster.config.unbonding_period_ms }

/// Largest accepted request payload, bytes.
public fun max_payload_bytes(cluster: &Cluster): u64 { cluster.config.max_payload_bytes }

/// Enclave signature freshness window, ms.
public fun signature_window_ms(cluster: &Cluster): u64 { cluster.config.signature_window_ms }

/// How long after `submit` a pending request becomes cancellable, ms.
public fun request_timeout_ms(cluster: &Cluster): u64 { cluster.config.request_timeout_ms }

/// True when every non-empty request payload must be sealed.
public fun require_sealed(cluster: &Cluster): bool { cluster.config.require_sealed }

/// True while paused.
public fun is_paused(cluster: &Cluster): bool { cluster.paused }

/// Treasury balance, MIST.
public fun treasury_value(cluster: &Cluster): u64 { cluster.treasury.value() }

/// True while dev enclave registration is allowed.
public fun allow_dev_enclave(cluster: &Cluster): bool { cluster.allow_dev_enclave }

/// Expected PCR0..PCR2 (empty until configured).
public fun pcrs(cluster: &Cluster): vector<vector<u8>> { cluster.pcrs }

/// The registered enclave public key (empty when none).
public fun enclave_public_key(cluster: &Cluster): vector<u8> { cluster.enclave_public_key }

/// The registered enclave's X25519 encryption key (empty when none).
public fun enclave_encryption_key(cluster: &Cluster): vector<u8> { cluster.enclave_encryption_key }

/// SHA-256 of the registered enclave's TLS public key (empty when none).
public fun enclave_tls_key_sha256(cluster: &Cluster): vector<u8> { cluster.enclave_tls_key_sha256 }

/// Kind of the enclave key installed last: 0 Nitro-attested, 1 dev (meaningful while
/// `enclave_public_key` is not empty).
public fun enclave_key_kind(cluster: &Cluster): u8 { cluster.enclave_key_kind }

/// Last accepted enclave message sequence.
public fun last_sequence(cluster: &Cluster): u64 { cluster.last_sequence }

/// Id the next request will get.
public fun next_request_id(cluster: &Cluster): u64 { cluster.next_request_id }

/// The cluster an `AdminCap` governs.
public fun admin_cap_cluster_id(cap: &AdminCap): ID { cap.cluster_id }

// === Package internals ===

/// Aborts `ENotAdmin` unless `cap` governs `cluster`.
public(package) fun assert_admin(cluster: &Cluster, cap: &AdminCap) {
    assert!(cap.cluster_id == object::id(cluster), ENotAdmin);
}

/// Aborts `EPaused` while the cluster is paused.
public(package) fun assert_not_paused(cluster: &Cluster) {
    assert!(!cluster.paused, EPaused);
}

/// The cluster's UID, for the dynamic fields other modules keep on it.
public(package) fun uid(cluster: &Cluster): &UID { &cluster.id }

/// Mutable UID, for adding and removing dynamic fields.
public(package) fun uid_mut(cluster: &mut Cluster): &mut UID { &mut cluster.id }

/// Moves `payment` into the treasury.
public(package) fun deposit(cluster: &mut Cluster, payment: Balance<SUI>) {
    cluster.treasury.join(payment);
}

/// Hands out the next request id and advances the counter.
public(package) fun take_request_id(cluster: &mut Cluster): u64 {
    let id = cluster.next_request_id;
    cluster.next_request_id = id + 1;
    id
}

/// Stores the expected PCRs (validated by `enclave`).
public(package) fun set_pcrs(cluster: &mut Cluster, pcrs: vector<vector<u8>>) {
    cluster.pcrs = pcrs;
}

/// Stores the enclave signing key, its encryption key, its TLS key hash and its kind
/// (validated by `enclave`).
public(package) fun set_enclave_key(
    cluster: &mut Cluster,
    public_key: vector<u8>,
    encryption_key: vector<u8>,
    tls_key_sha256: vector<u8>,
    kind: u8,
) {
    cluster.enclave_public_key = public_key;
    cluster.enclave_encryption_key = encryption_key;
    cluster.enclave_tls_key_sha256 = tls_key_sha256;
    cluster.enclave_key_kind = kind;
}

/// Empties the enclave key slot, encryption key and TLS key hash included (its kind stays, see
/// `enclave_key_kind`): every signed message aborts `enclave::ENoEnclaveKey` until a key is
/// registered again.
public(package) fun remove_enclave_key(cluster: &mut Cluster) {
    cluster.enclave_public_key = vector[];
    cluster.enclave_encryption_key = vector[];
    cluster.enclave_tls_key_sha256 = vector[];
}

/// Turns dev enclave registration off for good.
public(package) fun disable_dev_enclave(cluster: &mut Cluster) {
    cluster.allow_dev_enclave = false;
}

/// Records an accepted enclave message sequence.
public(package) fun set_last_sequence(cluster: &mut Cluster, sequence: u64) {
    cluster.last_sequence = sequence;
}

fun emit_config_updated(cluster: &Cluster) {
    let c = &cluster.config;
    events::emit_config_updated(
        object::id(cluster),
        c.request_fee_mist,
        c.min_worker_stake_mist,
        c.heartbeat_period_ms,
        c.unbonding_period_ms,
        c.max_payload_bytes,
        c.signature_window_ms,
        cluster.paused,
        c.request_timeout_ms,
        c.require_sealed,
    );
}
