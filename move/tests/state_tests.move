// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module k8s_daas::state_tests;

use std::string::String;
use sui::event;
use sui::test_scenario as ts;
use k8s_daas::events::ClusterStateEvent;
use k8s_daas::golden;
use k8s_daas::state;
use k8s_daas::test_env;

fun report(ready_node_count: u64, usage_summary: String) {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    state::report_cluster_state(&mut cluster, 3, ready_node_count, 10, 8, usage_summary, golden::timestamp_ms(), 1, golden::sig_state_s1(), &clock);
    assert!(cluster.last_sequence() == 1);
    assert!(event::events_by_type<ClusterStateEvent>().length() == 1);
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun signed_state_report_is_published() {
    report(2, b"cpu 40%, memory 2Gi".to_string());
}

#[test, expected_failure(abort_code = k8s_daas::enclave::EInvalidSignature)]
fun a_report_other_than_signed_is_rejected() {
    report(1, b"cpu 40%, memory 2Gi".to_string());
}

#[test, expected_failure(abort_code = state::EInconsistentCounts)]
fun more_ready_nodes_than_nodes_is_rejected() {
    report(4, b"cpu 40%, memory 2Gi".to_string());
}

#[test, expected_failure(abort_code = state::ESummaryTooLong)]
fun usage_summary_over_1024_bytes_is_rejected() {
    let mut summary = b"".to_string();
    1025u64.do!(|_| summary.append(b"u".to_string()));
    report(2, summary);
}
