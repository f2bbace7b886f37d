// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module k8s_daas::workers_tests;

use sui::bcs;
use sui::coin::Coin;
use sui::event;
use sui::sui::SUI;
use sui::test_scenario::{Self as ts, Scenario};
use k8s_daas::cluster::Cluster;
use k8s_daas::events::WorkerNodeEvent;
use k8s_daas::golden;
use k8s_daas::test_env;
use k8s_daas::workers::{Self, WorkerCap};

fun node(): std::string::String { b"node-1".to_string() }

fun register_with(scenario: &mut Scenario, node_id: std::string::String, key: vector<u8>, stake_mist: u64) {
    scenario.next_tx(test_env::worker_owner());
    let mut cluster = test_env::take_cluster(scenario);
    let clock = test_env::clock(scenario);
    let stake = test_env::coin(scenario, stake_mist);
    workers::register_worker_node(&mut cluster, node_id, key, stake, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
}

fun activate(cluster: &mut Cluster, credential: vector<u8>, scenario: &mut Scenario) {
    let clock = test_env::clock(scenario);
    workers::activate_worker(cluster, node(), credential, golden::timestamp_ms(), 1, golden::sig_activation_s1(), &clock);
    clock.destroy_for_testing();
}

fun slash(cluster: &mut Cluster, reason: std::string::String, scenario: &mut Scenario) {
    let clock = test_env::clock(scenario);
    workers::slash_worker(cluster, node(), reason, golden::timestamp_ms(), 1, golden::sig_slash_s1(), &clock);
    clock.destroy_for_testing();
}

fun refusal_reason(): std::string::String {
    b"node node-1 already exists and was not made for this worker".to_string()
}

/// Refuses node-1 with `reason` and `signature` (sequence 1, golden timestamp).
fun refuse_signed(cluster: &mut Cluster, reason: std::string::String, signature: vector<u8>, scenario: &mut Scenario) {
    let clock = test_env::clock(scenario);
    workers::refuse_worker(cluster, node(), reason, golden::timestamp_ms(), 1, signature, &clock);
    clock.destroy_for_testing();
}

/// Refuses node-1 with `reason` and `golden::sig_refusal_s1()` (signed over the golden reason).
fun refuse(cluster: &mut Cluster, reason: std::string::String, scenario: &mut Scenario) {
    refuse_signed(cluster, reason, golden::sig_refusal_s1(), scenario);
}

fun deregister(cluster: &mut Cluster, cap: &WorkerCap, scenario: &mut Scenario) {
    let clock = test_env::clock(scenario);
    workers::deregister_worker(cluster, cap, &clock, scenario.ctx());
    clock.destroy_for_testing();
}

#[test]
fun register_locks_the_stake_and_sends_a_worker_cap() {
    let mut scenario = test_env::begin();
    test_env::register_worker(&mut scenario, node());
    let cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    assert!(cap.cap_node_id() == node());
    assert!(workers::exists(&cluster, node()));
    assert!(workers::status(&cluster, node()) == 0);
    assert!(workers::stake_mist(&cluster, node()) == 1_000_000_000);
    assert!(workers::owner(&cluster, node()) == test_env::worker_owner());
    assert!(workers::encryption_key(&cluster, node()) == golden::worker_encryption_key());
    assert!(workers::last_heartbeat_ms(&cluster, node()) == golden::timestamp_ms());
    ts::return_to_address(test_env::worker_owner(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EInvalidNodeId)]
fun node_id_must_be_a_dns_label() {
    let mut scenario = test_env::begin();
    register_with(&mut scenario, b"Node 1".to_string(), golden::worker_encryption_key(), 1_000_000_000);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EInvalidEncryptionKey)]
fun encryption_key_must_be_32_bytes() {
    let mut scenario = test_env::begin();
    register_with(&mut scenario, node(), x"0102", 1_000_000_000);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerExists)]
fun node_id_is_unique_per_cluster() {
    let mut scenario = test_env::begin();
    test_env::register_worker(&mut scenario, node());
    register_with(&mut scenario, node(), golden::worker_encryption_key(), 1_000_000_000);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EStakeTooLow)]
fun stake_below_the_minimum_is_rejected() {
    let mut scenario = test_env::begin();
    register_with(&mut scenario, node(), golden::worker_encryption_key(), 999_999_999);
    scenario.end();
}

#[test, expected_failure(abort_code = k8s_daas::cluster::EPaused)]
fun registration_stops_while_paused() {
    let mut scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.pause(&cap);
    test_env::put_back(cluster, cap);
    register_with(&mut scenario, node(), golden::worker_encryption_key(), 1_000_000_000);
    scenario.end();
}

#[test]
fun heartbeat_records_the_clock_and_emits_an_event() {
    let mut scenario = test_env::begin();
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    let mut clock = test_env::clock(&mut scenario);
    clock.increment_for_testing(30_000);
    workers::worker_heartbeat(&mut cluster, &cap, &clock, scenario.ctx());
    assert!(workers::last_heartbeat_ms(&cluster, node()) == golden::timestamp_ms() + 30_000);
    assert!(event::events_by_type<WorkerNodeEvent>().length() == 1);
    clock.destroy_for_testing();
    ts::return_to_address(test_env::worker_owner(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWrongWorkerCap)]
fun a_worker_cap_of_another_cluster_is_refused() {
    let mut scenario = test_env::begin();
    let second_id = test_env::create_second_cluster(&mut scenario);
    scenario.next_tx(test_env::worker_owner());
    let mut second = scenario.take_shared_by_id<Cluster>(second_id);
    let clock = test_env::clock(&mut scenario);
    let stake = test_env::coin(&mut scenario, 1_000_000_000);
    workers::register_worker_node(&mut second, node(), golden::worker_encryption_key(), stake, &clock, scenario.ctx());
    ts::return_shared(second);
    scenario.next_tx(test_env::worker_owner());
    let foreign = test_env::take_worker_cap(&scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    workers::worker_heartbeat(&mut cluster, &foreign, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_to_address(test_env::worker_owner(), foreign);
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun activation_publishes_the_encrypted_join_credential() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    activate(&mut cluster, golden::join_credential(), &mut scenario);
    assert!(workers::status(&cluster, node()) == 1);
    assert!(cluster.last_sequence() == 1);
    let emitted = event::events_by_type<WorkerNodeEvent>();
    assert!(emitted.length() == 1);
    // WorkerNodeEvent{cluster_id, node_id, owner, action 2, stake, timestamp, data}
    let mut expected = bcs::to_bytes(&golden::cluster_id());
    expected.append(bcs::to_bytes(&node()));
    expected.append(bcs::to_bytes(&test_env::worker_owner()));
    expected.push_back(2);
    expected.append(bcs::to_bytes(&1_000_000_000u64));
    expected.append(bcs::to_bytes(&golden::timestamp_ms()));
    expected.append(bcs::to_bytes(&golden::join_credential()));
    assert!(bcs::to_bytes(&emitted[0]) == expected);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EInvalidCredential)]
fun activation_needs_a_credential() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    activate(&mut cluster, vector[], &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerNotFound)]
fun activating_an_unknown_worker_aborts() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    activate(&mut cluster, golden::join_credential(), &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerNotPending)]
fun a_deregistered_worker_cannot_be_activated() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    deregister(&mut cluster, &cap, &mut scenario);
    activate(&mut cluster, golden::join_credential(), &mut scenario);
    ts::return_to_address(test_env::worker_owner(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = k8s_daas::enclave::EInvalidSignature)]
fun activation_with_a_credential_other_than_signed_is_rejected() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    activate(&mut cluster, x"deadbeef", &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun deregister_then_withdraw_after_unbonding_returns_the_stake() {
    let mut scenario = test_env::begin();
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    deregister(&mut cluster, &cap, &mut scenario);
    assert!(workers::status(&cluster, node()) == 2);
    let mut clock = test_env::clock(&mut scenario);
    clock.increment_for_testing(cluster.unbonding_period_ms());
    workers::withdraw_stake(&mut cluster, cap, &clock, scenario.ctx());
    assert!(!workers::exists(&cluster, node()));
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.next_tx(test_env::worker_owner());
    let stake = scenario.take_from_address<Coin<SUI>>(test_env::worker_owner());
    assert!(stake.value() == 1_000_000_000);
    stake.burn_for_testing();
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EUnbondingNotOver)]
fun withdraw_before_the_unbonding_period_aborts() {
    let mut scenario = test_env::begin();
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    deregister(&mut cluster, &cap, &mut scenario);
    let mut clock = test_env::clock(&mut scenario);
    clock.increment_for_testing(cluster.unbonding_period_ms() - 1);
    workers::withdraw_stake(&mut cluster, cap, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerNotUnbonding)]
fun withdraw_without_deregistering_aborts() {
    let mut scenario = test_env::begin();
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    let clock = test_env::clock(&mut scenario);
    workers::withdraw_stake(&mut cluster, cap, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerNotLive)]
fun an_unbonding_worker_cannot_heartbeat() {
    let mut scenario = test_env::begin();
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    deregister(&mut cluster, &cap, &mut scenario);
    let clock = test_env::clock(&mut scenario);
    workers::worker_heartbeat(&mut cluster, &cap, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_to_address(test_env::worker_owner(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerNotLive)]
fun deregistering_twice_aborts() {
    let mut scenario = test_env::begin();
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    deregister(&mut cluster, &cap, &mut scenario);
    deregister(&mut cluster, &cap, &mut scenario);
    ts::return_to_address(test_env::worker_owner(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun slash_moves_the_whole_stake_to_the_treasury() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    slash(&mut cluster, b"missed heartbeats".to_string(), &mut scenario);
    assert!(workers::status(&cluster, node()) == 3);
    assert!(workers::stake_mist(&cluster, node()) == 0);
    assert!(cluster.treasury_value() == 1_000_000_000);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerSlashed)]
fun a_slashed_worker_cannot_withdraw() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    slash(&mut cluster, b"missed heartbeats".to_string(), &mut scenario);
    let clock = test_env::clock(&mut scenario);
    workers::withdraw_stake(&mut cluster, cap, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerSlashed)]
fun a_worker_is_slashed_only_once() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    slash(&mut cluster, b"missed heartbeats".to_string(), &mut scenario);
    slash(&mut cluster, b"missed heartbeats".to_string(), &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EReasonTooLong)]
fun slash_reason_over_256_bytes_is_rejected() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let mut reason = b"".to_string();
    257u64.do!(|_| reason.append(b"r".to_string()));
    slash(&mut cluster, reason, &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EUnbondingNotOver)]
fun a_huge_unbonding_period_does_not_overflow() {
    let mut scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let admin_cap = test_env::take_admin_cap(&scenario);
    cluster.set_unbonding_period(&admin_cap, 18_446_744_073_709_551_615);
    test_env::put_back(cluster, admin_cap);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    deregister(&mut cluster, &cap, &mut scenario);
    let clock = test_env::clock(&mut scenario);
    workers::withdraw_stake(&mut cluster, cap, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun refusal_marks_the_worker_refused_and_publishes_the_reason() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    refuse(&mut cluster, refusal_reason(), &mut scenario);
    assert!(workers::status(&cluster, node()) == 4);
    // The stake stays with the worker: a refusal is not a slash.
    assert!(workers::stake_mist(&cluster, node()) == 1_000_000_000);
    assert!(cluster.treasury_value() == 0);
    assert!(cluster.last_sequence() == 1);
    let emitted = event::events_by_type<WorkerNodeEvent>();
    assert!(emitted.length() == 1);
    // WorkerNodeEvent{cluster_id, node_id, owner, action 6, stake, timestamp, data = reason}
    let mut expected = bcs::to_bytes(&golden::cluster_id());
    expected.append(bcs::to_bytes(&node()));
    expected.append(bcs::to_bytes(&test_env::worker_owner()));
    expected.push_back(6);
    expected.append(bcs::to_bytes(&1_000_000_000u64));
    expected.append(bcs::to_bytes(&golden::timestamp_ms()));
    expected.append(bcs::to_bytes(&refusal_reason().into_bytes()));
    assert!(bcs::to_bytes(&emitted[0]) == expected);
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun a_refused_worker_withdraws_its_stake_at_once() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    refuse(&mut cluster, refusal_reason(), &mut scenario);
    // Same clock as the refusal: no unbonding period for a worker that never served.
    let clock = test_env::clock(&mut scenario);
    workers::withdraw_stake(&mut cluster, cap, &clock, scenario.ctx());
    assert!(!workers::exists(&cluster, node()));
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.next_tx(test_env::worker_owner());
    let stake = scenario.take_from_address<Coin<SUI>>(test_env::worker_owner());
    assert!(stake.value() == 1_000_000_000);
    stake.burn_for_testing();
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerNotPending)]
fun an_active_worker_cannot_be_refused() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    activate(&mut cluster, golden::join_credential(), &mut scenario);
    refuse(&mut cluster, refusal_reason(), &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerNotPending)]
fun a_refused_worker_cannot_be_activated() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    refuse(&mut cluster, refusal_reason(), &mut scenario);
    activate(&mut cluster, golden::join_credential(), &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerNotLive)]
fun a_refused_worker_cannot_deregister() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    refuse(&mut cluster, refusal_reason(), &mut scenario);
    deregister(&mut cluster, &cap, &mut scenario);
    ts::return_to_address(test_env::worker_owner(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EWorkerNotFound)]
fun refusing_an_unknown_worker_aborts() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    refuse(&mut cluster, refusal_reason(), &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = workers::EReasonTooLong)]
fun refusal_reason_over_256_bytes_is_rejected() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    let mut reason = b"".to_string();
    257u64.do!(|_| reason.append(b"r".to_string()));
    refuse(&mut cluster, reason, &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = k8s_daas::enclave::EInvalidSignature)]
fun a_slash_verdict_signature_cannot_refuse() {
    // A slash verdict has the refusal's exact fields; only the intent (2 vs 5) differs.
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    refuse_signed(&mut cluster, b"missed heartbeats".to_string(), golden::sig_slash_s1(), &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = k8s_daas::enclave::EInvalidSignature)]
fun a_refusal_with_a_reason_other_than_signed_is_rejected() {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::register_worker(&mut scenario, node());
    let mut cluster = test_env::take_cluster(&scenario);
    refuse(&mut cluster, b"no reason".to_string(), &mut scenario);
    ts::return_shared(cluster);
    scenario.end();
}
