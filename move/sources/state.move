// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// The enclave's signed reports of the cluster's state (nodes, pods, usage), published as
/// `ClusterStateEvent` for dashboards and tenants.
module k8s_daas::state;

use std::string::String;
use sui::clock::Clock;
use k8s_daas::cluster::Cluster;
use k8s_daas::enclave;
use k8s_daas::events;
use k8s_daas::messages;

// === Errors ===

/// The usage summary is longer than `MAX_SUMMARY_BYTES`.
const ESummaryTooLong: u64 = 600;
/// More ready nodes than nodes, or more running pods than pods.
const EInconsistentCounts: u64 = 601;

const MAX_SUMMARY_BYTES: u64 = 1024;

/// Publishes the enclave's signed state report (`ClusterStatePayload`, intent 3). Anyone
/// may submit it. Emits `ClusterStateEvent`. Aborts `ESummaryTooLong`,
/// `EInconsistentCounts`, and the `enclave` verifier's codes.
public fun report_cluster_state(
    cluster: &mut Cluster,
    node_count: u64,
    ready_node_count: u64,
    pod_count: u64,
    running_pod_count: u64,
    usage_summary: String,
    timestamp_ms: u64,
    sequence: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    assert!(usage_summary.length() <= MAX_SUMMARY_BYTES, ESummaryTooLong);
    assert!(ready_node_count <= node_count && running_pod_count <= pod_count, EInconsistentCounts);
    let cluster_id = object::id(cluster);
    let payload = messages::cluster_state(
        cluster_id,
        sequence,
        node_count,
        ready_node_count,
        pod_count,
        running_pod_count,
        usage_summary,
    );
    let message = messages::signing_bytes(messages::intent_cluster_state(), timestamp_ms, payload);
    enclave::verify_enclave_message(cluster, message, timestamp_ms, sequence, &signature, clock);
    events::emit_cluster_state(
        cluster_id,
        node_count,
        ready_node_count,
        pod_count,
        running_pod_count,
        usage_summary,
        sequence,
        timestamp_ms,
    );
}
