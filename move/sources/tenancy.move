// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// Namespace ownership. A tenant claims a DNS-1123 label, unique per cluster, and holds an
/// owned `NamespaceCap`; writes into the namespace need that capability. The cluster keeps
/// `NamespaceKey(name) -> NamespaceRecord` as a dynamic field so names stay unique and the
/// current owner is readable on chain.
module k8s_daas::tenancy;

use std::string::String;
use sui::dynamic_field as df;
use k8s_daas::cluster::Cluster;
use k8s_daas::events;
use k8s_daas::names;

// === Errors ===

/// The name is not a DNS-1123 label.
const EInvalidNamespace: u64 = 300;
/// Another tenant holds this namespace.
const ENamespaceTaken: u64 = 301;
/// The name is reserved for the system (`default`, `kube-*`).
const ENamespaceReserved: u64 = 302;
/// The capability belongs to another cluster.
const EWrongCluster: u64 = 303;
/// Nobody holds this namespace.
const ENamespaceNotClaimed: u64 = 304;

/// Proof of owning `namespace` in cluster `cluster_id`. Not `store`: it moves only
/// through `transfer_namespace`, which keeps the on-chain owner record right.
public struct NamespaceCap has key {
    id: UID,
    cluster_id: ID,
    namespace: String,
}

/// Dynamic-field key of a namespace on the cluster.
public struct NamespaceKey has copy, drop, store { namespace: String }

/// Who holds a namespace.
public struct NamespaceRecord has drop, store {
    cap_id: ID,
    owner: address,
}

/// Claims `namespace` for the sender and sends them its `NamespaceCap`. Emits
/// `NamespaceEvent{claimed}`. Aborts `cluster::EPaused`, `EInvalidNamespace`,
/// `ENamespaceReserved`, `ENamespaceTaken`.
public fun claim_namespace(cluster: &mut Cluster, namespace: String, ctx: &mut TxContext) {
    cluster.assert_not_paused();
    assert!(names::is_dns_label(&namespace), EInvalidNamespace);
    assert!(!is_reserved(&namespace), ENamespaceReserved);
    let key = NamespaceKey { namespace };
    assert!(!df::exists_(cluster.uid(), key), ENamespaceTaken);
    let cap = NamespaceCap { id: object::new(ctx), cluster_id: object::id(cluster), namespace };
    let cap_id = object::id(&cap);
    df::add(cluster.uid_mut(), key, NamespaceRecord { cap_id, owner: ctx.sender() });
    events::emit_namespace(object::id(cluster), namespace, cap_id, ctx.sender(), events::namespace_claimed());
    transfer::transfer(cap, ctx.sender());
}

/// Gives the namespace to `recipient`. Emits `NamespaceEvent{transferred}`.
/// Aborts `EWrongCluster`.
public fun transfer_namespace(cluster: &mut Cluster, cap: NamespaceCap, recipient: address) {
    assert_cap(cluster, &cap);
    let record: &mut NamespaceRecord = df::borrow_mut(cluster.uid_mut(), NamespaceKey { namespace: cap.namespace });
    record.owner = recipient;
    events::emit_namespace(object::id(cluster), cap.namespace, object::id(&cap), recipient, events::namespace_transferred());
    transfer::transfer(cap, recipient);
}

/// Gives the namespace up; the name becomes claimable again. Emits
/// `NamespaceEvent{released}`. Aborts `EWrongCluster`.
public fun release_namespace(cluster: &mut Cluster, cap: NamespaceCap, ctx: &TxContext) {
    assert_cap(cluster, &cap);
    let NamespaceCap { id, cluster_id, namespace } = cap;
    let _: NamespaceRecord = df::remove(cluster.uid_mut(), NamespaceKey { namespace });
    events::emit_namespace(cluster_id, namespace, id.to_inner(), ctx.sender(), events::namespace_released());
    id.delete();
}

/// True when `namespace` is claimed in `cluster`.
public fun is_claimed(cluster: &Cluster, namespace: String): bool {
    df::exists_(cluster.uid(), NamespaceKey { namespace })
}

/// Current owner of a claimed namespace. Aborts `ENamespaceNotClaimed`.
public fun owner(cluster: &Cluster, namespace: String): address {
    let key = NamespaceKey { namespace };
    assert!(df::exists_(cluster.uid(), key), ENamespaceNotClaimed);
    let record: &NamespaceRecord = df::borrow(cluster.uid(), key);
    record.owner
}

/// The namespace a capability grants.
public fun namespace(cap: &NamespaceCap): String { cap.namespace }

/// The cluster a capability belongs to.
public fun cap_cluster_id(cap: &NamespaceCap): ID { cap.cluster_id }

/// The id of the `NamespaceCap` of the current claim of `namespace`: it names the claim, and
/// changes when the name is released and claimed again. Aborts `ENamespaceNotClaimed`.
public(package) fun claim_id(cluster: &Cluster, namespace: String): ID {
    let key = NamespaceKey { namespace };
    assert!(df::exists_(cluster.uid(), key), ENamespaceNotClaimed);
    let record: &NamespaceRecord = df::borrow(cluster.uid(), key);
    record.cap_id
}

/// Aborts `EWrongCluster` unless `cap` belongs to `cluster`.
public(package) fun assert_cap(cluster: &Cluster, cap: &NamespaceCap) {
    assert!(cap.cluster_id == object::id(cluster), EWrongCluster);
}

/// `default` and `kube-*` belong to the system.
fun is_reserved(namespace: &String): bool {
    let bytes = namespace.as_bytes();
    if (*bytes == b"default") return true;
    let prefix = b"kube-";
    if (bytes.length() < prefix.length()) return false;
    let mut i = 0;
    while (i < prefix.length()) {
        if (bytes[i] != prefix[i]) return false;
        i = i + 1;
    };
    true
}
