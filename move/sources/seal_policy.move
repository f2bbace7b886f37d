// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// Who may decrypt a tenant's Seal-encrypted secrets. Seal key servers evaluate
/// `seal_approve` in a dry run with the requester as sender and hand out key shares only
/// when it does not abort. An identity is prefixed by what it protects:
///
///     cluster id (32 bytes) || namespace length (1 byte) || namespace (UTF-8) || nonce
///
/// and is decryptable by the current holder of that namespace's `NamespaceCap` (the owner
/// record `tenancy` keeps beside the cap) and by the cluster's registered enclave, whose
/// Sui address derives from its registered ed25519 key: blake2b256(0x00 || public key).
module k8s_daas::seal_policy;

use std::string::{Self, String};
use sui::address;
use sui::hash::blake2b256;
use k8s_daas::cluster::Cluster;
use k8s_daas::tenancy;

// === Errors ===

/// The sender neither holds the namespace nor is the cluster's registered enclave.
const ENoAccess: u64 = 900;
/// The identity is not `cluster id || namespace length || namespace || nonce`.
const EInvalidIdentity: u64 = 901;
/// The identity protects a secret of another cluster.
const EWrongCluster: u64 = 902;
/// The identity names an earlier claim of the namespace (released since, maybe claimed again).
const EStaleClaim: u64 = 903;

/// Length of an object id: the identity's first bytes.
const ID_LENGTH: u64 = 32;
/// Sui's signature scheme flag of ed25519: an ed25519 key's address is
/// blake2b256(ED25519_FLAG || public key).
const ED25519_FLAG: u8 = 0;

/// Seal's access check: returns when `ctx.sender()` may have the keys of identity `id`,
/// aborts `EInvalidIdentity`, `EWrongCluster` or `ENoAccess` otherwise. Not `public`, as
/// Seal requires, so that no other package can build on its (absence of) side effects.
entry fun seal_approve(id: vector<u8>, cluster: &Cluster, ctx: &TxContext) {
    assert_access(&id, cluster, ctx.sender());
}

/// `seal_approve`'s check for `sender` (the unit tests call it: an entry function that is
/// not `public` is callable only from a transaction). Aborts `EInvalidIdentity`,
/// `EWrongCluster`, `ENoAccess` (also when the namespace is not claimed), `EStaleClaim`.
public(package) fun assert_access(id: &vector<u8>, cluster: &Cluster, sender: address) {
    let (namespace, claim) = protected_claim(id, cluster);
    assert!(tenancy::is_claimed(cluster, namespace), ENoAccess);
    assert!(tenancy::claim_id(cluster, namespace) == claim, EStaleClaim);
    let is_owner = tenancy::owner(cluster, namespace) == sender;
    assert!(is_owner || is_enclave(cluster, sender), ENoAccess);
}

/// The namespace and claim an identity protects, after checking it names this cluster.
fun protected_claim(id: &vector<u8>, cluster: &Cluster): (String, ID) {
    assert!(id.length() > ID_LENGTH, EInvalidIdentity);
    let cluster_bytes = object::id(cluster).to_bytes();
    let mut i = 0;
    while (i < ID_LENGTH) {
        assert!(id[i] == cluster_bytes[i], EWrongCluster);
        i = i + 1;
    };
    let length = (id[ID_LENGTH] as u64);
    let start = ID_LENGTH + 1;
    assert!(length > 0 && id.length() >= start + length + ID_LENGTH, EInvalidIdentity);
    let namespace = string::try_utf8(slice(id, start, start + length));
    assert!(namespace.is_some(), EInvalidIdentity);
    let claim = object::id_from_bytes(slice(id, start + length, start + length + ID_LENGTH));
    (namespace.destroy_some(), claim)
}

/// `bytes[from..to]`.
fun slice(bytes: &vector<u8>, from: u64, to: u64): vector<u8> {
    let mut out = vector[];
    let mut i = from;
    while (i < to) {
        out.push_back(bytes[i]);
        i = i + 1;
    };
    out
}

/// True when `sender` is the address of the enclave key registered on `cluster` now.
fun is_enclave(cluster: &Cluster, sender: address): bool {
    let public_key = cluster.enclave_public_key();
    if (public_key.is_empty()) return false;
    let mut flagged = vector[ED25519_FLAG];
    flagged.append(public_key);
    address::from_bytes(blake2b256(&flagged)) == sender
}
