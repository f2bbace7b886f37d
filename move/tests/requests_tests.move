// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module k8s_daas::requests_tests;

use std::string::String;
use sui::bcs;
use sui::coin::Coin;
use sui::event;
use sui::sui::SUI;
use sui::test_scenario::{Self as ts, Scenario};
use k8s_daas::events::{K8sAPIRequestEvent, K8sAPIResultEvent};
use k8s_daas::golden;
use k8s_daas::requests;
use k8s_daas::test_env;

/// `tenant()` submits through `submit` into its namespace "team-a" (claimed here) with
/// the given arguments and the default fee plus `extra_fee`.
fun submit_as_tenant(
    scenario: &mut Scenario,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    payload: vector<u8>,
    priority: u8,
    fee_mist: u64,
): u64 {
    test_env::claim(scenario, b"team-a".to_string());
    let mut cluster = test_env::take_cluster(scenario);
    let cap = test_env::take_namespace_cap(scenario);
    let clock = test_env::clock(scenario);
    let fee = test_env::coin(scenario, fee_mist);
    let id = requests::submit(&mut cluster, &cap, method, resource, namespace, name, payload, priority, fee, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    id
}

fun valid_submit(scenario: &mut Scenario): u64 {
    submit_as_tenant(scenario, b"PATCH".to_string(), b"deployments.apps".to_string(), b"team-a".to_string(), b"web".to_string(), b"{}", 9, 1_000_000)
}

#[test]
fun submit_escrows_the_fee_and_hands_out_increasing_ids() {
    let mut scenario = test_env::begin();
    let first = valid_submit(&mut scenario);
    assert!(first == 1);
    scenario.next_tx(test_env::tenant());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    let clock = test_env::clock(&mut scenario);
    let fee = test_env::coin(&mut scenario, 3_000_000);
    let second = requests::submit(&mut cluster, &cap, b"DELETE".to_string(), b"pods".to_string(), b"team-a".to_string(), b"web".to_string(), vector[], 0, fee, &clock, scenario.ctx());
    assert!(second == 2);
    assert!(requests::exists(&cluster, 2));
    assert!(requests::status(&cluster, 2) == 0);
    assert!(requests::requester(&cluster, 2) == test_env::tenant());
    assert!(requests::request_namespace(&cluster, 2) == b"team-a".to_string());
    assert!(requests::escrowed_fee(&cluster, 2) == 3_000_000);
    assert!(requests::submitted_at_ms(&cluster, 2) == golden::timestamp_ms());
    assert!(cluster.next_request_id() == 3);
    clock.destroy_for_testing();
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun submit_get_needs_no_namespace_cap() {
    let mut scenario = test_env::begin();
    scenario.next_tx(test_env::other());
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    let fee = test_env::coin(&mut scenario, 1_000_000);
    let id = requests::submit_get(&mut cluster, b"pods".to_string(), b"team-a".to_string(), b"".to_string(), 3, fee, &clock, scenario.ctx());
    assert!(id == 1);
    assert!(requests::requester(&cluster, 1) == test_env::other());
    let emitted = event::events_by_type<K8sAPIRequestEvent>();
    assert!(emitted.length() == 1);
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EInvalidNamespace)]
fun submit_get_checks_the_namespace() {
    let mut scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    let fee = test_env::coin(&mut scenario, 1_000_000);
    requests::submit_get(&mut cluster, b"pods".to_string(), b"Team".to_string(), b"".to_string(), 3, fee, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun execute_k8s_api_submits_the_string_payload() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    let clock = test_env::clock(&mut scenario);
    let fee = test_env::coin(&mut scenario, 1_000_000);
    requests::execute_k8s_api(&mut cluster, &cap, b"PUT".to_string(), b"configmaps".to_string(), b"team-a".to_string(), b"cfg".to_string(), b"kind: ConfigMap".to_string(), 4, fee, &clock, scenario.ctx());
    assert!(requests::status(&cluster, 1) == 0);
    let emitted = event::events_by_type<K8sAPIRequestEvent>();
    let expected = k8s_daas::events::new_request_event(
        object::id(&cluster), 1, b"PUT".to_string(), b"configmaps".to_string(), b"team-a".to_string(),
        b"cfg".to_string(), b"kind: ConfigMap", 4, test_env::tenant(), 1_000_000, golden::timestamp_ms(), false,
    );
    assert!(emitted == vector[expected]);
    clock.destroy_for_testing();
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun create_pod_emits_the_golden_request_event() {
    let mut scenario = test_env::begin();
    let emitted = test_env::submit_golden_pod(&mut scenario);
    assert!(bcs::to_bytes(&emitted) == golden::request_event_bcs());
    scenario.end();
}

#[test]
fun deploy_pods_batch_posts_a_deployment_manifest() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    let clock = test_env::clock(&mut scenario);
    let fee = test_env::coin(&mut scenario, 1_000_000);
    requests::deploy_pods_batch(&mut cluster, &cap, b"api".to_string(), b"team-a".to_string(), b"nginx:1.27".to_string(), 3, 2, fee, &clock, scenario.ctx());
    let manifest = requests::deployment_manifest(b"api".to_string(), b"team-a".to_string(), b"nginx:1.27".to_string(), 3);
    assert!(manifest == golden::deployment_manifest_bytes());
    let expected = k8s_daas::events::new_request_event(
        object::id(&cluster), 1, b"POST".to_string(), b"deployments".to_string(), b"team-a".to_string(),
        b"api".to_string(), manifest, 2, test_env::tenant(), 1_000_000, golden::timestamp_ms(), false,
    );
    assert!(event::events_by_type<K8sAPIRequestEvent>() == vector[expected]);
    clock.destroy_for_testing();
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EInvalidImage)]
fun create_pod_rejects_an_image_that_could_break_the_json() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    let clock = test_env::clock(&mut scenario);
    let fee = test_env::coin(&mut scenario, 1_000_000);
    requests::create_pod(&mut cluster, &cap, b"web".to_string(), b"team-a".to_string(), b"x\",\"privileged\":true".to_string(), 5, fee, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EInvalidReplicas)]
fun deploy_pods_batch_rejects_zero_replicas() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    let clock = test_env::clock(&mut scenario);
    let fee = test_env::coin(&mut scenario, 1_000_000);
    requests::deploy_pods_batch(&mut cluster, &cap, b"api".to_string(), b"team-a".to_string(), b"nginx".to_string(), 0, 2, fee, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EInvalidMethod)]
fun unknown_method_is_rejected() {
    let mut scenario = test_env::begin();
    submit_as_tenant(&mut scenario, b"get".to_string(), b"pods".to_string(), b"team-a".to_string(), b"".to_string(), vector[], 0, 1_000_000);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EInvalidResource)]
fun bad_resource_is_rejected() {
    let mut scenario = test_env::begin();
    submit_as_tenant(&mut scenario, b"GET".to_string(), b"Pods".to_string(), b"team-a".to_string(), b"".to_string(), vector[], 0, 1_000_000);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EInvalidObjectName)]
fun bad_object_name_is_rejected() {
    let mut scenario = test_env::begin();
    submit_as_tenant(&mut scenario, b"GET".to_string(), b"pods".to_string(), b"team-a".to_string(), b"Web_1".to_string(), vector[], 0, 1_000_000);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EPayloadTooLarge)]
fun payload_over_the_configured_limit_is_rejected() {
    let mut scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.set_max_payload_bytes(&cap, 4);
    test_env::put_back(cluster, cap);
    submit_as_tenant(&mut scenario, b"POST".to_string(), b"pods".to_string(), b"team-a".to_string(), b"web".to_string(), b"12345", 0, 1_000_000);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EInvalidPriority)]
fun priority_above_nine_is_rejected() {
    let mut scenario = test_env::begin();
    submit_as_tenant(&mut scenario, b"GET".to_string(), b"pods".to_string(), b"team-a".to_string(), b"".to_string(), vector[], 10, 1_000_000);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EInsufficientFee)]
fun fee_below_the_configured_fee_is_rejected() {
    let mut scenario = test_env::begin();
    submit_as_tenant(&mut scenario, b"GET".to_string(), b"pods".to_string(), b"team-a".to_string(), b"".to_string(), vector[], 0, 999_999);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ENamespaceMismatch)]
fun writing_into_a_namespace_the_cap_does_not_grant_is_rejected() {
    let mut scenario = test_env::begin();
    submit_as_tenant(&mut scenario, b"DELETE".to_string(), b"pods".to_string(), b"team-b".to_string(), b"web".to_string(), vector[], 0, 1_000_000);
    scenario.end();
}

#[test, expected_failure(abort_code = k8s_daas::cluster::EPaused)]
fun submissions_stop_while_paused() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    scenario.next_tx(test_env::admin());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.pause(&cap);
    test_env::put_back(cluster, cap);
    scenario.next_tx(test_env::other());
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    let fee = test_env::coin(&mut scenario, 1_000_000);
    requests::submit_get(&mut cluster, b"pods".to_string(), b"team-a".to_string(), b"".to_string(), 3, fee, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

/// `sender` cancels `request_id` at the golden timestamp (when the test requests are
/// submitted) plus `after_ms`.
fun cancel_after(scenario: &mut Scenario, sender: address, request_id: u64, after_ms: u64) {
    scenario.next_tx(sender);
    let mut cluster = test_env::take_cluster(scenario);
    let mut clock = test_env::clock(scenario);
    clock.increment_for_testing(after_ms);
    requests::cancel(&mut cluster, request_id, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
}

#[test]
fun cancel_refunds_the_requester() {
    let mut scenario = test_env::begin();
    valid_submit(&mut scenario);
    cancel_after(&mut scenario, test_env::tenant(), 1, 3_600_000);
    scenario.next_tx(test_env::tenant());
    let cluster = test_env::take_cluster(&scenario);
    assert!(cluster.request_timeout_ms() == 3_600_000);
    assert!(requests::status(&cluster, 1) == 2);
    assert!(requests::escrowed_fee(&cluster, 1) == 0);
    ts::return_shared(cluster);
    let refund = scenario.take_from_address<Coin<SUI>>(test_env::tenant());
    assert!(refund.value() == 1_000_000);
    refund.burn_for_testing();
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ECancelTooEarly)]
fun a_cancel_in_the_submitting_transaction_is_refused() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    let clock = test_env::clock(&mut scenario);
    let fee = test_env::coin(&mut scenario, 1_000_000);
    let id = requests::submit(&mut cluster, &cap, b"POST".to_string(), b"configmaps".to_string(), b"team-a".to_string(), b"cfg".to_string(), b"{}", 0, fee, &clock, scenario.ctx());
    requests::cancel(&mut cluster, id, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ECancelTooEarly)]
fun a_cancel_one_ms_before_the_timeout_is_refused() {
    let mut scenario = test_env::begin();
    valid_submit(&mut scenario);
    cancel_after(&mut scenario, test_env::tenant(), 1, 3_600_000 - 1);
    scenario.end();
}

#[test]
fun the_cancel_timeout_is_the_clusters_request_timeout() {
    let mut scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let admin_cap = test_env::take_admin_cap(&scenario);
    cluster.set_request_timeout(&admin_cap, 5_000);
    test_env::put_back(cluster, admin_cap);
    valid_submit(&mut scenario);
    cancel_after(&mut scenario, test_env::tenant(), 1, 5_000);
    scenario.next_tx(test_env::tenant());
    let cluster = test_env::take_cluster(&scenario);
    assert!(requests::status(&cluster, 1) == 2);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ECancelTooEarly)]
fun a_huge_request_timeout_does_not_overflow() {
    let mut scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let admin_cap = test_env::take_admin_cap(&scenario);
    cluster.set_request_timeout(&admin_cap, 18_446_744_073_709_551_615);
    test_env::put_back(cluster, admin_cap);
    valid_submit(&mut scenario);
    cancel_after(&mut scenario, test_env::tenant(), 1, 3_600_000);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ENotRequester)]
fun only_the_requester_may_cancel() {
    let mut scenario = test_env::begin();
    valid_submit(&mut scenario);
    cancel_after(&mut scenario, test_env::other(), 1, 3_600_000);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ERequestNotFound)]
fun cancelling_an_unknown_request_aborts() {
    let mut scenario = test_env::begin();
    cancel_after(&mut scenario, test_env::admin(), 42, 3_600_000);
    scenario.end();
}

#[test]
fun complete_moves_the_fee_to_the_treasury_and_emits_the_result() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::submit_golden_pod(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    test_env::complete_golden(&mut cluster, 1, golden::timestamp_ms(), 1, golden::sig_result_r1_s1(), &clock, scenario.ctx());
    assert!(requests::status(&cluster, 1) == 1);
    assert!(requests::escrowed_fee(&cluster, 1) == 0);
    assert!(cluster.treasury_value() == 1_000_000);
    assert!(cluster.last_sequence() == 1);
    let results = event::events_by_type<K8sAPIResultEvent>();
    assert!(results.length() == 1);
    assert!(bcs::to_bytes(&results[0]) == golden::result_event_bcs());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EAlreadyCompleted)]
fun a_second_completion_aborts() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::submit_golden_pod(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    test_env::complete_golden(&mut cluster, 1, golden::timestamp_ms(), 1, golden::sig_result_r1_s1(), &clock, scenario.ctx());
    test_env::complete_golden(&mut cluster, 1, golden::timestamp_ms(), 1, golden::sig_result_r1_s1(), &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EAlreadyCompleted)]
fun a_completed_request_cannot_be_cancelled() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::submit_golden_pod(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    test_env::complete_golden(&mut cluster, 1, golden::timestamp_ms(), 1, golden::sig_result_r1_s1(), &clock, scenario.ctx());
    requests::cancel(&mut cluster, 1, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ERequestCancelled)]
fun a_cancelled_request_cannot_be_completed() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::submit_golden_pod(&mut scenario);
    cancel_after(&mut scenario, test_env::tenant(), 1, 3_600_000);
    scenario.next_tx(test_env::admin());
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    test_env::complete_golden(&mut cluster, 1, golden::timestamp_ms(), 1, golden::sig_result_r1_s1(), &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun an_expired_result_refunds_the_requester() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::submit_golden_pod(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    assert!(requests::expired_status_code() == 408);
    let summary = b"request expired before it was started".to_string();
    requests::complete(&mut cluster, 1, 408, golden::output_sha256(), summary, golden::timestamp_ms(), 1, golden::sig_result_expired_r1_s1(), &clock, scenario.ctx());
    assert!(requests::status(&cluster, 1) == 1);
    assert!(requests::escrowed_fee(&cluster, 1) == 0);
    assert!(cluster.treasury_value() == 0);
    assert!(cluster.last_sequence() == 1);
    // The result is published as for any other status code.
    let results = event::events_by_type<K8sAPIResultEvent>();
    assert!(results.length() == 1);
    let mut expected = bcs::to_bytes(&golden::cluster_id());
    expected.append(bcs::to_bytes(&1u64));
    expected.append(bcs::to_bytes(&408u16));
    expected.append(bcs::to_bytes(&golden::output_sha256()));
    expected.append(bcs::to_bytes(&summary));
    expected.append(bcs::to_bytes(&test_env::tenant()));
    expected.append(bcs::to_bytes(&1u64));
    expected.append(bcs::to_bytes(&golden::timestamp_ms()));
    assert!(bcs::to_bytes(&results[0]) == expected);
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.next_tx(test_env::tenant());
    let refund = scenario.take_from_address<Coin<SUI>>(test_env::tenant());
    assert!(refund.value() == 1_000_000);
    refund.burn_for_testing();
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ERequestNotFound)]
fun completing_an_unknown_request_aborts() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    test_env::complete_golden(&mut cluster, 1, golden::timestamp_ms(), 1, golden::sig_result_r1_s1(), &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EInvalidDigest)]
fun output_digest_must_be_32_bytes() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::submit_golden_pod(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    requests::complete(&mut cluster, 1, 201, x"abab", b"created pod team-a/web".to_string(), golden::timestamp_ms(), 1, golden::sig_result_r1_s1(), &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ESummaryTooLong)]
fun summary_over_256_bytes_is_rejected() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::submit_golden_pod(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    let mut summary = b"".to_string();
    257u64.do!(|_| summary.append(b"s".to_string()));
    requests::complete(&mut cluster, 1, 201, golden::output_sha256(), summary, golden::timestamp_ms(), 1, golden::sig_result_r1_s1(), &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ERequestNotFound)]
fun reading_an_unknown_request_aborts() {
    let scenario = test_env::begin();
    let cluster = test_env::take_cluster(&scenario);
    requests::status(&cluster, 7);
    ts::return_shared(cluster);
    scenario.end();
}

/// The admin makes the cluster require sealed payloads.
fun require_sealing(scenario: &mut Scenario) {
    scenario.next_tx(test_env::admin());
    let mut cluster = test_env::take_cluster(scenario);
    let cap = test_env::take_admin_cap(scenario);
    cluster.set_require_sealed(&cap, true);
    test_env::put_back(cluster, cap);
}

/// `tenant()` (holding "team-a") submits through `submit_sealed` with the default fee.
fun submit_sealed_as_tenant(scenario: &mut Scenario, method: String, namespace: String, sealed_payload: vector<u8>): u64 {
    scenario.next_tx(test_env::tenant());
    let mut cluster = test_env::take_cluster(scenario);
    let cap = test_env::take_namespace_cap(scenario);
    let clock = test_env::clock(scenario);
    let fee = test_env::coin(scenario, 1_000_000);
    let id = requests::submit_sealed(&mut cluster, &cap, method, b"secrets".to_string(), namespace, b"db".to_string(), sealed_payload, 5, fee, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    id
}

#[test]
fun submit_sealed_marks_the_event_sealed() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let id = submit_sealed_as_tenant(&mut scenario, b"POST".to_string(), b"team-a".to_string(), x"01c0ffee");
    assert!(id == 1);
    let expected = k8s_daas::events::new_request_event(
        golden::cluster_id(), 1, b"POST".to_string(), b"secrets".to_string(), b"team-a".to_string(),
        b"db".to_string(), x"01c0ffee", 5, test_env::tenant(), 1_000_000, golden::timestamp_ms(), true,
    );
    assert!(event::events_by_type<K8sAPIRequestEvent>() == vector[expected]);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EEmptySealedPayload)]
fun submit_sealed_refuses_an_empty_payload() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    submit_sealed_as_tenant(&mut scenario, b"GET".to_string(), b"team-a".to_string(), vector[]);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::ENamespaceMismatch)]
fun submit_sealed_checks_the_namespace_of_the_cap() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    submit_sealed_as_tenant(&mut scenario, b"POST".to_string(), b"team-b".to_string(), x"01");
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EPayloadNotSealed)]
fun a_cluster_that_requires_sealing_refuses_a_plaintext_payload() {
    let mut scenario = test_env::begin();
    require_sealing(&mut scenario);
    valid_submit(&mut scenario);
    scenario.end();
}

#[test, expected_failure(abort_code = requests::EPayloadNotSealed)]
fun create_pod_is_refused_when_sealing_is_required() {
    let mut scenario = test_env::begin();
    require_sealing(&mut scenario);
    test_env::submit_golden_pod(&mut scenario);
    scenario.end();
}

#[test]
fun a_cluster_that_requires_sealing_takes_sealed_payloads_and_empty_ones() {
    let mut scenario = test_env::begin();
    require_sealing(&mut scenario);
    test_env::claim(&mut scenario, b"team-a".to_string());
    assert!(submit_sealed_as_tenant(&mut scenario, b"POST".to_string(), b"team-a".to_string(), x"01c0ffee") == 1);
    scenario.next_tx(test_env::tenant());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    let clock = test_env::clock(&mut scenario);
    // A DELETE and a GET carry no payload: nothing to seal.
    let fee = test_env::coin(&mut scenario, 1_000_000);
    let id = requests::submit(&mut cluster, &cap, b"DELETE".to_string(), b"pods".to_string(), b"team-a".to_string(), b"web".to_string(), vector[], 0, fee, &clock, scenario.ctx());
    assert!(id == 2);
    let fee = test_env::coin(&mut scenario, 1_000_000);
    let id = requests::submit_get(&mut cluster, b"pods".to_string(), b"team-a".to_string(), b"".to_string(), 0, fee, &clock, scenario.ctx());
    assert!(id == 3);
    clock.destroy_for_testing();
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.end();
}
