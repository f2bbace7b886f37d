// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// The control-plane enclave's identity (Nautilus pattern). The admin pins the expected
/// Nitro PCRs; an attestation document whose PCRs match registers the keys the enclave
/// publishes (`messages::EnclavePublicKeys`: its ed25519 signing key, which is also the
/// document's `public_key`, its X25519 encryption key and the SHA-256 of its TLS key's
/// SPKI, as BCS in the document's `user_data`), so all three are attested by one document.
/// A dev path registers the same three values while the cluster allows it; a rotation,
/// signed by the current key, hands all three over. Every enclave message
/// goes through `verify_enclave_message`: ed25519 over BCS(IntentMessage), timestamp inside
/// the window around the `Clock`, sequence strictly increasing per cluster.
module k8s_daas::enclave;

use sui::clock::Clock;
use sui::ed25519;
use sui::nitro_attestation::NitroAttestationDocument;
use k8s_daas::cluster::{AdminCap, Cluster};
use k8s_daas::events;
use k8s_daas::messages::{Self, EnclavePublicKeys};

// === Errors ===

/// PCRs must be three 48-byte values, none of them all zero.
const EInvalidPcrs: u64 = 200;
/// The attestation's PCR0..PCR2 differ from the cluster's expected PCRs.
const EPcrMismatch: u64 = 201;
/// The public key is missing or not 32 bytes.
const EInvalidPublicKey: u64 = 202;
/// Dev enclaves are off for this cluster: no dev key may be registered, and a rotation
/// signed by a dev key (removed by `disable_dev_enclave`) is refused.
const EDevEnclaveDisabled: u64 = 203;
/// No enclave key is registered yet.
const ENoEnclaveKey: u64 = 204;
/// The message timestamp is outside the window around the on-chain clock.
const ETimestampOutOfWindow: u64 = 205;
/// The message sequence is not greater than the last accepted one.
const ESequenceReplay: u64 = 206;
/// The signature does not verify against the registered key.
const EInvalidSignature: u64 = 207;
/// The admin has not configured expected PCRs yet.
const EPcrsNotConfigured: u64 = 208;
/// The enclave's X25519 encryption key is missing or not 32 bytes.
const EInvalidEncryptionKey: u64 = 209;
/// The SHA-256 of the enclave's TLS public key is not 32 bytes.
const EInvalidTlsKeyHash: u64 = 210;
/// An attestation's `user_data` is not BCS(`EnclavePublicKeys`) naming the document's
/// `public_key`.
const EInvalidUserData: u64 = 211;

const PCR_BYTES: u64 = 48;
const PUBLIC_KEY_BYTES: u64 = 32;
const ENCRYPTION_KEY_BYTES: u64 = 32;
const TLS_KEY_HASH_BYTES: u64 = 32;

/// `EnclaveRegisteredEvent.kind` and `Cluster.enclave_key_kind` of a Nitro-attested key.
const KIND_NITRO: u8 = 0;
/// `EnclaveRegisteredEvent.kind` and `Cluster.enclave_key_kind` of a dev key.
const KIND_DEV: u8 = 1;
/// `EnclaveRegisteredEvent.kind` of a key handed over by the previous key.
const KIND_ROTATION: u8 = 2;

/// Pins the PCR0, PCR1, PCR2 an attestation must carry. Admin only. Emits
/// `EnclaveConfigEvent`. Aborts `cluster::ENotAdmin`, `EInvalidPcrs` (a value not 48
/// bytes or all zero).
public fun set_enclave_pcrs(
    cluster: &mut Cluster,
    cap: &AdminCap,
    pcr0: vector<u8>,
    pcr1: vector<u8>,
    pcr2: vector<u8>,
) {
    cluster.assert_admin(cap);
    let pcrs = vector[pcr0, pcr1, pcr2];
    assert!(pcrs.all!(|p| is_valid_pcr(p)), EInvalidPcrs);
    cluster.set_pcrs(pcrs);
    events::emit_enclave_config(object::id(cluster), cluster.pcrs(), cluster.allow_dev_enclave());
}

/// Production path: registers (or replaces) the enclave key from a Nitro attestation
/// document (get one in the same transaction from `0x2::nitro_attestation::
/// load_nitro_attestation`): the signing key is the document's `public_key`; its
/// `user_data` is BCS(`EnclavePublicKeys`) naming that same signing key, the X25519
/// encryption key and the TLS key hash. Admin only. Emits `EnclaveRegisteredEvent{kind:
/// 0}`. Aborts `cluster::ENotAdmin`, `EPcrsNotConfigured`, `EInvalidPcrs` (all-zero, i.e.
/// debug mode), `EPcrMismatch`, `EInvalidPublicKey`, `EInvalidUserData`,
/// `EInvalidEncryptionKey`, `EInvalidTlsKeyHash`.
public fun register_enclave(cluster: &mut Cluster, cap: &AdminCap, document: NitroAttestationDocument) {
    cluster.assert_admin(cap);
    let mut attested = vector[vector[], vector[], vector[]];
    document.pcrs().do_ref!(|entry| {
        let index = entry.index() as u64;
        if (index < 3) *&mut attested[index] = *entry.value();
    });
    register_attested_key(cluster, attested, *document.public_key(), *document.user_data());
}

/// Dev path: registers (or replaces) bare enclave keys — the ed25519 signing key, the
/// X25519 encryption key and the TLS key hash, as a Nitro document's `EnclavePublicKeys`
/// would carry them — only while the cluster allows dev enclaves; the key's kind is dev.
/// Admin only. Emits `EnclaveRegisteredEvent{kind: 1}`. Aborts `cluster::ENotAdmin`,
/// `EDevEnclaveDisabled`, `EInvalidPublicKey`, `EInvalidEncryptionKey`,
/// `EInvalidTlsKeyHash`.
public fun register_dev_enclave(
    cluster: &mut Cluster,
    cap: &AdminCap,
    public_key: vector<u8>,
    encryption_key: vector<u8>,
    tls_key_sha256: vector<u8>,
) {
    cluster.assert_admin(cap);
    assert!(cluster.allow_dev_enclave(), EDevEnclaveDisabled);
    let keys = messages::enclave_public_keys(public_key, encryption_key, tls_key_sha256);
    install_key(cluster, keys, KIND_DEV, KIND_DEV);
}

/// Turns dev enclaves off for good and removes an installed dev-kind key and its encryption
/// key (also ones that reached the slot by rotation): signed messages then abort `ENoEnclaveKey` until an
/// attested key is registered. A Nitro-attested key stays. Admin only. Emits
/// `EnclaveConfigEvent`, then `EnclaveKeyRemovedEvent{kind: 1}` when a key was removed.
/// Aborts `cluster::ENotAdmin`.
public fun disable_dev_enclave(cluster: &mut Cluster, cap: &AdminCap) {
    cluster.assert_admin(cap);
    cluster.disable_dev_enclave();
    let cluster_id = object::id(cluster);
    events::emit_enclave_config(cluster_id, cluster.pcrs(), false);
    let public_key = cluster.enclave_public_key();
    if (!public_key.is_empty() && cluster.enclave_key_kind() == KIND_DEV) {
        cluster.remove_enclave_key();
        events::emit_enclave_key_removed(cluster_id, public_key, KIND_DEV);
    }
}

/// Replaces the enclave key with `new_public_key`, the encryption key with
/// `new_encryption_key` and the TLS key hash with `new_tls_key_sha256`, authorised by the
/// current key signing a `KeyRotationPayload` (intent 4); the new key keeps the current
/// key's kind, so a dev key rotated is still dev. Payloads sealed to the old encryption key
/// no longer open, and clients pin the control plane to the new TLS key. Anyone may submit
/// it. Emits `EnclaveRegisteredEvent{kind: 2}`. Aborts `EDevEnclaveDisabled` (the current
/// key is dev-kind and dev enclaves are off: a dev key is never carried past
/// `disable_dev_enclave`), then as `verify_enclave_message`, `EInvalidPublicKey`,
/// `EInvalidEncryptionKey` and `EInvalidTlsKeyHash`.
public fun rotate_enclave_key(
    cluster: &mut Cluster,
    new_public_key: vector<u8>,
    new_encryption_key: vector<u8>,
    new_tls_key_sha256: vector<u8>,
    timestamp_ms: u64,
    sequence: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    let kind = cluster.enclave_key_kind();
    assert!(kind != KIND_DEV || cluster.allow_dev_enclave(), EDevEnclaveDisabled);
    let payload = messages::key_rotation(
        object::id(cluster),
        sequence,
        new_public_key,
        new_encryption_key,
        new_tls_key_sha256,
    );
    let message = messages::signing_bytes(messages::intent_key_rotation(), timestamp_ms, payload);
    verify_enclave_message(cluster, message, timestamp_ms, sequence, &signature, clock);
    let keys = messages::enclave_public_keys(new_public_key, new_encryption_key, new_tls_key_sha256);
    install_key(cluster, keys, kind, KIND_ROTATION);
}

/// The one verifier for enclave messages. `message` is the BCS IntentMessage whose
/// payload carries `timestamp_ms` and `sequence`. Checks, in this order: a key is
/// registered (`ENoEnclaveKey`), the ed25519 signature (`EInvalidSignature`), the
/// timestamp window (`ETimestampOutOfWindow`), the sequence (`ESequenceReplay`); then
/// records the sequence.
public(package) fun verify_enclave_message(
    cluster: &mut Cluster,
    message: vector<u8>,
    timestamp_ms: u64,
    sequence: u64,
    signature: &vector<u8>,
    clock: &Clock,
) {
    let public_key = cluster.enclave_public_key();
    assert!(!public_key.is_empty(), ENoEnclaveKey);
    assert!(ed25519::ed25519_verify(signature, &public_key, &message), EInvalidSignature);
    let now = clock.timestamp_ms();
    let window = cluster.signature_window_ms();
    // Subtract the smaller from the larger: adding the window could overflow u64.
    let skew = if (timestamp_ms > now) timestamp_ms - now else now - timestamp_ms;
    assert!(skew <= window, ETimestampOutOfWindow);
    assert!(sequence > cluster.last_sequence(), ESequenceReplay);
    cluster.set_last_sequence(sequence);
}

/// Registers the keys of `user_data` (BCS `EnclavePublicKeys`, whose signing key must be
/// the attestation's `public_key`) if `attested_pcrs` (PCR0..PCR2 from an attestation)
/// equal the cluster's expected PCRs. Split from `register_enclave` because an attestation
/// document cannot be forged in unit tests.
public(package) fun register_attested_key(
    cluster: &mut Cluster,
    attested_pcrs: vector<vector<u8>>,
    public_key: Option<vector<u8>>,
    user_data: Option<vector<u8>>,
) {
    let expected = cluster.pcrs();
    assert!(!expected.is_empty(), EPcrsNotConfigured);
    // A debug-mode enclave reports all-zero PCRs: refuse it outright, whatever is pinned.
    assert!(attested_pcrs.all!(|p| is_valid_pcr(p)), EInvalidPcrs);
    assert!(attested_pcrs == expected, EPcrMismatch);
    assert!(public_key.is_some(), EInvalidPublicKey);
    assert!(user_data.is_some(), EInvalidUserData);
    let keys = decode_enclave_public_keys(user_data.destroy_some());
    assert!(keys.keys_public_key() == public_key.destroy_some(), EInvalidUserData);
    install_key(cluster, keys, KIND_NITRO, KIND_NITRO);
}

/// BCS(`EnclavePublicKeys`) → the struct; `EInvalidUserData` unless the bytes are exactly
/// three length-prefixed byte vectors. Lengths are one-byte ULEB128 (keys and hashes are
/// under 128 bytes) and checked before reading, so a short `user_data` aborts with this
/// module's code rather than `sui::bcs`'s.
fun decode_enclave_public_keys(bytes: vector<u8>): EnclavePublicKeys {
    let mut fields = vector[];
    let mut offset = 0;
    while (fields.length() < 3) {
        assert!(offset < bytes.length() && bytes[offset] < 0x80, EInvalidUserData);
        let start = offset + 1;
        let end = start + (bytes[offset] as u64);
        assert!(end <= bytes.length(), EInvalidUserData);
        let mut field = vector[];
        let mut i = start;
        while (i < end) {
            field.push_back(bytes[i]);
            i = i + 1;
        };
        fields.push_back(field);
        offset = end;
    };
    assert!(offset == bytes.length(), EInvalidUserData);
    let tls_key_sha256 = fields.pop_back();
    let encryption_key = fields.pop_back();
    let public_key = fields.pop_back();
    messages::enclave_public_keys(public_key, encryption_key, tls_key_sha256)
}

/// 48 bytes, not all zero (all-zero PCRs are what a Nitro enclave in debug mode reports).
fun is_valid_pcr(pcr: &vector<u8>): bool {
    pcr.length() == PCR_BYTES && !pcr.all!(|b| *b == 0)
}

/// Installs `keys` as a key of kind `key_kind`; `event_kind` is how it got there
/// (`EnclaveRegisteredEvent.kind`).
fun install_key(cluster: &mut Cluster, keys: EnclavePublicKeys, key_kind: u8, event_kind: u8) {
    let public_key = keys.keys_public_key();
    let encryption_key = keys.keys_encryption_key();
    let tls_key_sha256 = keys.keys_tls_key_sha256();
    assert!(public_key.length() == PUBLIC_KEY_BYTES, EInvalidPublicKey);
    assert!(encryption_key.length() == ENCRYPTION_KEY_BYTES, EInvalidEncryptionKey);
    assert!(tls_key_sha256.length() == TLS_KEY_HASH_BYTES, EInvalidTlsKeyHash);
    cluster.set_enclave_key(public_key, encryption_key, tls_key_sha256, key_kind);
    events::emit_enclave_registered(
        object::id(cluster),
        public_key,
        event_kind,
        encryption_key,
        tls_key_sha256,
    );
}
