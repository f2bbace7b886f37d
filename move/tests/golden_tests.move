// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
/// The Move side of the golden vectors: the package's own BCS must equal the hex that
/// test/protocol/golden.test.ts asserts for src/protocol/.
module k8s_daas::golden_tests;

use sui::bcs;
use k8s_daas::events;
use k8s_daas::golden;
use k8s_daas::messages;
use k8s_daas::requests;
use k8s_daas::test_env;

fun golden_result_payload(): messages::RequestResultPayload {
    messages::request_result(
        golden::cluster_id(),
        1,
        1,
        201,
        golden::output_sha256(),
        b"created pod team-a/web".to_string(),
    )
}

#[test]
fun request_event_bcs_matches_golden_vector() {
    let event = events::new_request_event(
        golden::cluster_id(),
        1,
        b"POST".to_string(),
        b"pods".to_string(),
        b"team-a".to_string(),
        b"web".to_string(),
        requests::pod_manifest(b"web".to_string(), b"team-a".to_string(), b"nginx:1.27".to_string()),
        5,
        test_env::tenant(),
        1_000_000,
        golden::timestamp_ms(),
        false,
    );
    assert!(bcs::to_bytes(&event) == golden::request_event_bcs());
}

#[test]
fun emitted_create_pod_event_matches_golden_vector() {
    let mut scenario = test_env::begin();
    let emitted = test_env::submit_golden_pod(&mut scenario);
    assert!(bcs::to_bytes(&emitted) == golden::request_event_bcs());
    scenario.end();
}

#[test]
fun result_payload_bcs_matches_golden_vector() {
    assert!(bcs::to_bytes(&golden_result_payload()) == golden::result_payload_bcs());
}

#[test]
fun intent_message_bytes_match_golden_vector() {
    let bytes = messages::signing_bytes(messages::intent_request_result(), golden::timestamp_ms(), golden_result_payload());
    assert!(bytes == golden::result_intent_message_bcs());
}

#[test]
fun intent_values_are_distinct_per_message_kind() {
    assert!(messages::intent_request_result() == 0);
    assert!(messages::intent_worker_activation() == 1);
    assert!(messages::intent_slash_verdict() == 2);
    assert!(messages::intent_cluster_state() == 3);
    assert!(messages::intent_key_rotation() == 4);
    assert!(messages::intent_worker_refusal() == 5);
}

#[test]
fun created_cluster_bcs_matches_golden_vector() {
    let scenario = test_env::begin();
    let cluster = test_env::take_cluster(&scenario);
    assert!(bcs::to_bytes(&cluster) == golden::created_cluster_bcs());
    sui::test_scenario::return_shared(cluster);
    scenario.end();
}

#[test]
fun refusal_message_bytes_match_golden_vector() {
    let payload = messages::worker_refusal(
        golden::cluster_id(),
        1,
        b"node-1".to_string(),
        b"node node-1 already exists and was not made for this worker".to_string(),
    );
    assert!(bcs::to_bytes(&payload) == golden::refusal_payload_bcs());
    let bytes = messages::signing_bytes(messages::intent_worker_refusal(), golden::timestamp_ms(), payload);
    assert!(bytes == golden::refusal_intent_message_bcs());
}
