// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module k8s_daas::billing_tests;

use std::bcs;
use sui::coin::Coin;
use sui::event;
use sui::sui::SUI;
use sui::test_scenario::{Self as ts, Scenario};
use k8s_daas::billing;
use k8s_daas::cluster::Cluster;
use k8s_daas::events::BillingPricesEvent;
use k8s_daas::golden;
use k8s_daas::messages;
use k8s_daas::test_env;
use k8s_daas::workers::{Self, WorkerCap};

const MINUTE_MS: u64 = 60_000;
const GIB: u128 = 1_073_741_824;

// The golden report (test/protocol/golden-fixtures.ts `usageReportPayload`) at the golden
// prices charges team-a 25_000_000 (cpu) + 3_333_333 (memory, rounded down) + 1_666_666
// (storage, rounded down) = 29_999_999 MIST. node-1 served 19_999_999 MIST of priced
// usage, node-2 8_333_333.
const CHARGE: u64 = 29_999_999;

fun namespace_usage(): vector<u128> {
    vector[1_500 * (MINUTE_MS as u128), GIB / 2 * (MINUTE_MS as u128), GIB * (MINUTE_MS as u128)]
}

fun node_usage(): vector<u128> {
    vector[1_000 * (MINUTE_MS as u128), GIB / 2 * (MINUTE_MS as u128), 0, 500 * (MINUTE_MS as u128), 0, 0]
}

/// Golden enclave, golden prices, team-a claimed by `tenant()` with `escrow` MIST
/// deposited, node-1 and node-2 registered; the next tx is open with `tenant()`.
fun setup(escrow: u64): Scenario {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    set_golden_prices(&mut scenario);
    test_env::register_worker(&mut scenario, b"node-1".to_string());
    test_env::register_worker(&mut scenario, b"node-2".to_string());
    test_env::claim(&mut scenario, b"team-a".to_string());
    if (escrow > 0) deposit(&mut scenario, escrow);
    scenario
}

fun set_golden_prices(scenario: &mut Scenario) {
    scenario.next_tx(test_env::admin());
    let mut cluster = test_env::take_cluster(scenario);
    let cap = test_env::take_admin_cap(scenario);
    billing::set_prices(&mut cluster, &cap, 1_000_000_000, 400_000_000, 100_000_000, 1_000);
    test_env::put_back(cluster, cap);
}

/// `tenant()` deposits `amount` into team-a's escrow; next tx by `tenant()`.
fun deposit(scenario: &mut Scenario, amount: u64) {
    scenario.next_tx(test_env::tenant());
    let mut cluster = test_env::take_cluster(scenario);
    let cap = test_env::take_namespace_cap(scenario);
    let payment = test_env::coin(scenario, amount);
    billing::deposit(&mut cluster, &cap, payment);
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.next_tx(test_env::tenant());
}

/// Submits golden report `period` (1: the minute before the last; 2: the last minute)
/// with `sequence`, `signature` and the given usage.
fun report_with(
    cluster: &mut Cluster,
    scenario: &mut Scenario,
    period: u64,
    start_ms: u64,
    end_ms: u64,
    namespace_usage: vector<u128>,
    sequence: u64,
    signature: vector<u8>,
) {
    let clock = test_env::clock(scenario);
    billing::report_usage(
        cluster,
        period,
        start_ms,
        end_ms,
        0,
        1,
        vector[b"team-a".to_string()],
        namespace_usage,
        vector[b"node-1".to_string(), b"node-2".to_string()],
        node_usage(),
        golden::timestamp_ms(),
        sequence,
        signature,
        &clock,
    );
    clock.destroy_for_testing();
}

/// Submits part `part` of `parts` of golden report 1 (`usageReportPartPayload`): part 0
/// holds team-a and no nodes, part 1 the two nodes and no namespace. Returns how many
/// events it emitted.
fun report_part(scenario: &mut Scenario, part: u64, parts: u64, sequence: u64, signature: vector<u8>): u64 {
    let mut cluster = test_env::take_cluster(scenario);
    let end = period_end(1);
    let clock = test_env::clock(scenario);
    let (namespaces, namespace_usage, node_ids, node_usage) = if (part == 0) {
        (vector[b"team-a".to_string()], namespace_usage(), vector[], vector[])
    } else {
        (vector[], vector[], vector[b"node-1".to_string(), b"node-2".to_string()], node_usage())
    };
    billing::report_usage(
        &mut cluster,
        1,
        end - MINUTE_MS,
        end,
        part,
        parts,
        namespaces,
        namespace_usage,
        node_ids,
        node_usage,
        golden::timestamp_ms(),
        sequence,
        signature,
        &clock,
    );
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.next_tx(test_env::tenant()).num_user_events()
}

fun period_end(period: u64): u64 { golden::timestamp_ms() - (2 - period) * MINUTE_MS }

/// Returns how many events the report emitted.
fun report(scenario: &mut Scenario, period: u64, sequence: u64, signature: vector<u8>): u64 {
    let mut cluster = test_env::take_cluster(scenario);
    let end = period_end(period);
    report_with(&mut cluster, scenario, period, end - MINUTE_MS, end, namespace_usage(), sequence, signature);
    ts::return_shared(cluster);
    scenario.next_tx(test_env::tenant()).num_user_events()
}

#[test]
fun set_prices_stores_prices_and_emits_event() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    assert!(billing::cpu_core_hour_mist(&cluster) == 0);
    billing::set_prices(&mut cluster, &cap, 7, 8, 9, 10_000);
    assert!(billing::cpu_core_hour_mist(&cluster) == 7);
    assert!(billing::memory_gib_hour_mist(&cluster) == 8);
    assert!(billing::storage_gib_hour_mist(&cluster) == 9);
    assert!(billing::treasury_share_bps(&cluster) == 10_000);
    billing::set_prices(&mut cluster, &cap, 1, 2, 3, 0);
    assert!(billing::cpu_core_hour_mist(&cluster) == 1);
    assert!(event::events_by_type<BillingPricesEvent>().length() == 2);
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test, expected_failure(abort_code = billing::EInvalidShare)]
fun treasury_share_over_10000_bps_is_rejected() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    billing::set_prices(&mut cluster, &cap, 1, 1, 1, 10_001);
    abort
}

#[test]
fun deposit_then_withdraw_returns_what_is_not_owed() {
    let mut scenario = setup(5_000);
    deposit(&mut scenario, 2_000);
    let mut cluster = test_env::take_cluster(&scenario);
    assert!(billing::escrow_balance_mist(&cluster, b"team-a".to_string()) == 7_000);
    let cap = test_env::take_namespace_cap(&scenario);
    billing::withdraw(&mut cluster, &cap, 7_000, scenario.ctx());
    assert!(billing::escrow_balance_mist(&cluster, b"team-a".to_string()) == 0);
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.next_tx(test_env::tenant());
    let coin = scenario.take_from_address<Coin<SUI>>(test_env::tenant());
    assert!(coin.value() == 7_000);
    ts::return_to_address(test_env::tenant(), coin);
    scenario.end();
}

#[test, expected_failure(abort_code = billing::EInsufficientEscrow)]
fun withdrawing_more_than_the_escrow_holds_is_rejected() {
    let mut scenario = setup(5_000);
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    billing::withdraw(&mut cluster, &cap, 5_001, scenario.ctx());
    abort
}

#[test]
fun usage_report_charges_the_escrow_credits_workers_and_keeps_the_treasury_share() {
    let mut scenario = setup(100_000_000);
    // EscrowEvent{charged}, two WorkerEarningsEvent{credited}, UsageReportedEvent.
    assert!(report(&mut scenario, 1, 1, golden::sig_usage_p1_s1()) == 4);
    let cluster = test_env::take_cluster(&scenario);
    assert!(billing::escrow_balance_mist(&cluster, b"team-a".to_string()) == 100_000_000 - CHARGE);
    assert!(!billing::is_suspended(&cluster, b"team-a".to_string()));
    // 10% of 29_999_999 is 2_999_999; the pool of 27_000_000 splits 19_999_999 : 8_333_333.
    assert!(billing::earnings_mist(&cluster, b"node-1".to_string()) == 19_058_823);
    assert!(billing::earnings_mist(&cluster, b"node-2".to_string()) == 7_941_176);
    // 2_999_999 plus the 1 MIST the pool's split leaves.
    assert!(cluster.treasury_value() == 3_000_000);
    assert!(billing::reported_periods(&cluster) == 1);
    assert!(billing::last_period_end_ms(&cluster) == period_end(1));
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun contiguous_next_period_is_charged_too() {
    let mut scenario = setup(100_000_000);
    report(&mut scenario, 1, 1, golden::sig_usage_p1_s1());
    report(&mut scenario, 2, 2, golden::sig_usage_p2_s2());
    let cluster = test_env::take_cluster(&scenario);
    assert!(billing::escrow_balance_mist(&cluster, b"team-a".to_string()) == 100_000_000 - 2 * CHARGE);
    assert!(billing::earnings_mist(&cluster, b"node-1".to_string()) == 2 * 19_058_823);
    assert!(billing::reported_periods(&cluster) == 2);
    assert!(cluster.treasury_value() == 6_000_000);
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun escrow_that_cannot_pay_is_suspended_and_a_top_up_resumes_it() {
    let mut scenario = setup(10_000_000);
    // charged, suspended, two credits, reported.
    assert!(report(&mut scenario, 1, 1, golden::sig_usage_p1_s1()) == 5);
    let cluster = test_env::take_cluster(&scenario);
    assert!(billing::is_suspended(&cluster, b"team-a".to_string()));
    assert!(billing::escrow_balance_mist(&cluster, b"team-a".to_string()) == 0);
    assert!(billing::escrow_debt_mist(&cluster, b"team-a".to_string()) == CHARGE - 10_000_000);
    // Only what was collected is shared: 1_000_000 to the treasury, 9_000_000 to workers.
    assert!(billing::earnings_mist(&cluster, b"node-1".to_string()) == 6_352_941);
    assert!(billing::earnings_mist(&cluster, b"node-2".to_string()) == 2_647_058);
    assert!(cluster.treasury_value() == 1_000_001);
    ts::return_shared(cluster);
    // A top-up short of the debt keeps it suspended; one that covers it resumes it.
    deposit(&mut scenario, 1);
    let cluster = test_env::take_cluster(&scenario);
    assert!(billing::is_suspended(&cluster, b"team-a".to_string()));
    ts::return_shared(cluster);
    deposit(&mut scenario, CHARGE - 10_000_000 - 1 + 500);
    let cluster = test_env::take_cluster(&scenario);
    assert!(!billing::is_suspended(&cluster, b"team-a".to_string()));
    assert!(billing::escrow_debt_mist(&cluster, b"team-a".to_string()) == 0);
    assert!(billing::escrow_balance_mist(&cluster, b"team-a".to_string()) == 500);
    assert!(cluster.treasury_value() == 1_000_001 + CHARGE - 10_000_000);
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun worker_claims_its_earnings() {
    let mut scenario = setup(100_000_000);
    report(&mut scenario, 1, 1, golden::sig_usage_p1_s1());
    scenario.next_tx(test_env::worker_owner());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    let node_id = workers::cap_node_id(&cap);
    let expected = billing::earnings_mist(&cluster, node_id);
    assert!(expected > 0);
    billing::claim_earnings(&mut cluster, &cap, scenario.ctx());
    assert!(billing::earnings_mist(&cluster, node_id) == 0);
    ts::return_to_address(test_env::worker_owner(), cap);
    ts::return_shared(cluster);
    scenario.next_tx(test_env::worker_owner());
    let coin = scenario.take_from_address<Coin<SUI>>(test_env::worker_owner());
    assert!(coin.value() == expected);
    ts::return_to_address(test_env::worker_owner(), coin);
    scenario.end();
}

#[test, expected_failure(abort_code = billing::ENothingToClaim)]
fun claiming_without_earnings_is_rejected() {
    let mut scenario = setup(0);
    scenario.next_tx(test_env::worker_owner());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_worker_cap(&scenario);
    billing::claim_earnings(&mut cluster, &cap, scenario.ctx());
    abort
}

#[test, expected_failure(abort_code = billing::EWrongWorkerCap)]
fun claiming_with_another_clusters_worker_cap_is_rejected() {
    let mut scenario = test_env::begin();
    let second_id = test_env::create_second_cluster(&mut scenario);
    scenario.next_tx(test_env::worker_owner());
    let mut second = scenario.take_shared_by_id<Cluster>(second_id);
    let clock = test_env::clock(&mut scenario);
    let stake = test_env::coin(&mut scenario, second.min_worker_stake_mist());
    workers::register_worker_node(&mut second, b"node-1".to_string(), golden::worker_encryption_key(), stake, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(second);
    scenario.next_tx(test_env::worker_owner());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = scenario.take_from_address<WorkerCap>(test_env::worker_owner());
    billing::claim_earnings(&mut cluster, &cap, scenario.ctx());
    abort
}

#[test, expected_failure(abort_code = billing::EPeriodOutOfOrder)]
fun a_period_is_reported_once() {
    let mut scenario = setup(100_000_000);
    report(&mut scenario, 1, 1, golden::sig_usage_p1_s1());
    // Rejected before the signature is looked at.
    report(&mut scenario, 1, 2, golden::sig_usage_p1_s1());
    abort
}

#[test, expected_failure(abort_code = billing::EPeriodOutOfOrder)]
fun the_first_report_is_period_1() {
    let mut scenario = setup(100_000_000);
    report(&mut scenario, 2, 1, golden::sig_usage_p2_s2());
    abort
}

#[test, expected_failure(abort_code = billing::EPeriodNotContiguous)]
fun a_gap_between_periods_is_rejected() {
    let mut scenario = setup(100_000_000);
    report(&mut scenario, 1, 1, golden::sig_usage_p1_s1());
    let mut cluster = test_env::take_cluster(&scenario);
    let end = period_end(2);
    report_with(&mut cluster, &mut scenario, 2, end - MINUTE_MS + 1, end, namespace_usage(), 2, golden::sig_usage_p2_s2());
    abort
}

#[test, expected_failure(abort_code = billing::EInvalidPeriod)]
fun an_empty_period_is_rejected() {
    let mut scenario = setup(100_000_000);
    let mut cluster = test_env::take_cluster(&scenario);
    let end = period_end(1);
    report_with(&mut cluster, &mut scenario, 1, end, end, namespace_usage(), 1, golden::sig_usage_p1_s1());
    abort
}

#[test, expected_failure(abort_code = billing::EInvalidPeriod)]
fun a_period_ending_after_the_clock_is_rejected() {
    let mut scenario = setup(100_000_000);
    let mut cluster = test_env::take_cluster(&scenario);
    let end = golden::timestamp_ms() + 1;
    report_with(&mut cluster, &mut scenario, 1, end - MINUTE_MS, end, namespace_usage(), 1, golden::sig_usage_p1_s1());
    abort
}

#[test, expected_failure(abort_code = billing::EUsageLengthMismatch)]
fun usage_without_three_values_per_namespace_is_rejected() {
    let mut scenario = setup(100_000_000);
    let mut cluster = test_env::take_cluster(&scenario);
    let end = period_end(1);
    report_with(&mut cluster, &mut scenario, 1, end - MINUTE_MS, end, vector[1, 2], 1, golden::sig_usage_p1_s1());
    abort
}

#[test, expected_failure(abort_code = k8s_daas::enclave::EInvalidSignature)]
fun a_report_with_tampered_usage_is_rejected() {
    let mut scenario = setup(100_000_000);
    let mut cluster = test_env::take_cluster(&scenario);
    let end = period_end(1);
    let mut usage = namespace_usage();
    *&mut usage[0] = 1;
    report_with(&mut cluster, &mut scenario, 1, end - MINUTE_MS, end, usage, 1, golden::sig_usage_p1_s1());
    abort
}

#[test]
fun usage_report_message_bytes_match_golden_vector() {
    let end = golden::timestamp_ms() - MINUTE_MS;
    let payload = messages::usage_report(
        golden::cluster_id(),
        1,
        1,
        end - MINUTE_MS,
        end,
        0,
        1,
        vector[b"team-a".to_string()],
        namespace_usage(),
        vector[b"node-1".to_string(), b"node-2".to_string()],
        node_usage(),
    );
    assert!(bcs::to_bytes(&payload) == golden::usage_report_payload_bcs());
    let bytes = messages::signing_bytes(messages::intent_usage_report(), golden::timestamp_ms(), payload);
    assert!(bytes == golden::usage_report_intent_message_bcs());
    assert!(messages::intent_usage_report() == 6);
}

#[test]
fun a_report_in_two_parts_charges_and_credits_as_one() {
    let mut scenario = setup(100_000_000);
    // Part 0 charges team-a at once; nothing is credited and the period stays open.
    assert!(report_part(&mut scenario, 0, 2, 1, golden::sig_usage_p1_part0of2_s1()) == 1);
    let cluster = test_env::take_cluster(&scenario);
    assert!(billing::escrow_balance_mist(&cluster, b"team-a".to_string()) == 100_000_000 - CHARGE);
    assert!(billing::reported_periods(&cluster) == 0);
    assert!(billing::report_parts_done(&cluster) == 1);
    assert!(billing::earnings_mist(&cluster, b"node-1".to_string()) == 0);
    assert!(cluster.treasury_value() == 0);
    ts::return_shared(cluster);
    scenario.next_tx(test_env::tenant());
    // Part 1 names only the nodes: they share part 0's collection; the period closes.
    // Two WorkerEarningsEvent{credited}, UsageReportedEvent.
    assert!(report_part(&mut scenario, 1, 2, 2, golden::sig_usage_p1_part1of2_s2()) == 3);
    let cluster = test_env::take_cluster(&scenario);
    assert!(billing::earnings_mist(&cluster, b"node-1".to_string()) == 19_058_823);
    assert!(billing::earnings_mist(&cluster, b"node-2".to_string()) == 7_941_176);
    assert!(cluster.treasury_value() == 3_000_000);
    assert!(billing::reported_periods(&cluster) == 1);
    assert!(billing::last_period_end_ms(&cluster) == period_end(1));
    assert!(billing::report_parts_done(&cluster) == 0);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = billing::EPartOutOfOrder)]
fun a_part_is_reported_once() {
    let mut scenario = setup(100_000_000);
    report_part(&mut scenario, 0, 2, 1, golden::sig_usage_p1_part0of2_s1());
    // Rejected before the signature is looked at.
    report_part(&mut scenario, 0, 2, 2, golden::sig_usage_p1_part0of2_s1());
    abort
}

#[test, expected_failure(abort_code = billing::EPartOutOfOrder)]
fun the_first_part_is_part_0() {
    let mut scenario = setup(100_000_000);
    report_part(&mut scenario, 1, 2, 1, golden::sig_usage_p1_part1of2_s2());
    abort
}

#[test, expected_failure(abort_code = billing::EPartMismatch)]
fun a_part_with_another_part_count_is_rejected() {
    let mut scenario = setup(100_000_000);
    report_part(&mut scenario, 0, 2, 1, golden::sig_usage_p1_part0of2_s1());
    report_part(&mut scenario, 1, 3, 2, golden::sig_usage_p1_part1of2_s2());
    abort
}

#[test, expected_failure(abort_code = billing::EPartMismatch)]
fun a_part_with_other_bounds_is_rejected() {
    let mut scenario = setup(100_000_000);
    report_part(&mut scenario, 0, 2, 1, golden::sig_usage_p1_part0of2_s1());
    let mut cluster = test_env::take_cluster(&scenario);
    let clock = test_env::clock(&mut scenario);
    let end = period_end(1);
    billing::report_usage(
        &mut cluster,
        1,
        end - MINUTE_MS + 1,
        end,
        1,
        2,
        vector[],
        vector[],
        vector[b"node-1".to_string(), b"node-2".to_string()],
        node_usage(),
        golden::timestamp_ms(),
        2,
        golden::sig_usage_p1_part1of2_s2(),
        &clock,
    );
    abort
}

#[test, expected_failure(abort_code = billing::EInvalidPart)]
fun a_part_index_not_below_the_count_is_rejected() {
    let mut scenario = setup(100_000_000);
    report_part(&mut scenario, 1, 1, 1, golden::sig_usage_p1_part1of2_s2());
    abort
}

#[test, expected_failure(abort_code = billing::EPeriodOutOfOrder)]
fun the_next_period_waits_for_the_last_part() {
    let mut scenario = setup(100_000_000);
    report_part(&mut scenario, 0, 2, 1, golden::sig_usage_p1_part0of2_s1());
    report(&mut scenario, 2, 2, golden::sig_usage_p2_s2());
    abort
}

#[test, expected_failure(abort_code = k8s_daas::enclave::EInvalidSignature)]
fun a_part_signed_as_another_part_is_rejected() {
    let mut scenario = setup(100_000_000);
    // Part 0's usage under a signature over the same usage as a whole report (parts 1).
    report_part(&mut scenario, 0, 2, 1, golden::sig_usage_p1_s1());
    abort
}
