// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module k8s_daas::cluster_tests;

use sui::bcs;
use sui::coin::Coin;
use sui::event;
use sui::sui::SUI;
use sui::test_scenario as ts;
use k8s_daas::cluster::{Self, AdminCap, Cluster};
use k8s_daas::events::ClusterConfigEvent;
use k8s_daas::golden;
use k8s_daas::test_env;

#[test]
fun create_cluster_shares_cluster_with_defaults_and_sends_admin_cap() {
    let scenario = test_env::begin();
    let cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    assert!(object::id(&cluster) == golden::cluster_id());
    assert!(cap.admin_cap_cluster_id() == object::id(&cluster));
    assert!(cluster.name() == b"prod".to_string());
    assert!(cluster.admin() == test_env::admin());
    assert!(cluster.request_fee_mist() == 1_000_000);
    assert!(cluster.min_worker_stake_mist() == 1_000_000_000);
    assert!(cluster.heartbeat_period_ms() == 30_000);
    assert!(cluster.unbonding_period_ms() == 86_400_000);
    assert!(cluster.max_payload_bytes() == 16_384);
    assert!(cluster.signature_window_ms() == 300_000);
    assert!(cluster.request_timeout_ms() == 3_600_000);
    assert!(!cluster.is_paused());
    assert!(cluster.allow_dev_enclave());
    assert!(cluster.treasury_value() == 0);
    assert!(cluster.enclave_public_key().is_empty());
    assert!(cluster.enclave_encryption_key().is_empty());
    assert!(!cluster.require_sealed());
    assert!(cluster.enclave_key_kind() == 0);
    assert!(cluster.pcrs().is_empty());
    assert!(cluster.last_sequence() == 0);
    assert!(cluster.next_request_id() == 1);
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::EInvalidClusterName)]
fun create_cluster_rejects_empty_name() {
    let mut scenario = ts::begin(test_env::admin());
    cluster::create_cluster(b"".to_string(), scenario.ctx());
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::EInvalidClusterName)]
fun create_cluster_rejects_name_over_63_bytes() {
    let mut scenario = ts::begin(test_env::admin());
    let mut name = b"".to_string();
    64u64.do!(|_| name.append(b"a".to_string()));
    cluster::create_cluster(name, scenario.ctx());
    scenario.end();
}

#[test]
fun admin_setters_update_every_config_value() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.set_request_fee(&cap, 0);
    cluster.set_min_worker_stake(&cap, 5);
    cluster.set_heartbeat_period(&cap, 7);
    cluster.set_unbonding_period(&cap, 0);
    cluster.set_max_payload_bytes(&cap, 1024);
    cluster.set_signature_window(&cap, 9);
    cluster.set_request_timeout(&cap, 11);
    assert!(cluster.request_fee_mist() == 0);
    assert!(cluster.min_worker_stake_mist() == 5);
    assert!(cluster.heartbeat_period_ms() == 7);
    assert!(cluster.unbonding_period_ms() == 0);
    assert!(cluster.max_payload_bytes() == 1024);
    assert!(cluster.signature_window_ms() == 9);
    assert!(cluster.request_timeout_ms() == 11);
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::EInvalidConfig)]
fun set_min_worker_stake_rejects_zero() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.set_min_worker_stake(&cap, 0);
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::EInvalidConfig)]
fun set_heartbeat_period_rejects_zero() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.set_heartbeat_period(&cap, 0);
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::EInvalidConfig)]
fun set_max_payload_bytes_rejects_more_than_a_pure_argument_holds() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.set_max_payload_bytes(&cap, 16_385);
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::EInvalidConfig)]
fun set_signature_window_rejects_zero() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.set_signature_window(&cap, 0);
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::EInvalidConfig)]
fun set_request_timeout_rejects_zero() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.set_request_timeout(&cap, 0);
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test]
fun set_require_sealed_toggles_and_emits_the_config() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.set_require_sealed(&cap, true);
    assert!(cluster.require_sealed());
    let emitted = event::events_by_type<ClusterConfigEvent>();
    assert!(emitted.length() == 1);
    // The event's last field is `require_sealed`.
    let bytes = bcs::to_bytes(&emitted[0]);
    assert!(bytes[bytes.length() - 1] == 1);
    cluster.set_require_sealed(&cap, false);
    assert!(!cluster.require_sealed());
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::ENotAdmin)]
fun set_require_sealed_needs_this_clusters_admin_cap() {
    let mut scenario = test_env::begin();
    test_env::create_second_cluster(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let foreign = scenario.take_from_address<AdminCap>(test_env::other());
    cluster.set_require_sealed(&foreign, true);
    ts::return_shared(cluster);
    ts::return_to_address(test_env::other(), foreign);
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::ENotAdmin)]
fun admin_cap_of_another_cluster_is_refused() {
    let mut scenario = test_env::begin();
    test_env::create_second_cluster(&mut scenario);
    let mut cluster = test_env::take_cluster(&scenario);
    let foreign = scenario.take_from_address<AdminCap>(test_env::other());
    cluster.set_request_fee(&foreign, 0);
    ts::return_shared(cluster);
    ts::return_to_address(test_env::other(), foreign);
    scenario.end();
}

#[test]
fun pause_and_unpause_toggle_and_are_idempotent() {
    let scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.pause(&cap);
    cluster.pause(&cap);
    assert!(cluster.is_paused());
    cluster.unpause(&cap);
    cluster.unpause(&cap);
    assert!(!cluster.is_paused());
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::EPaused)]
fun paused_cluster_refuses_new_work() {
    let mut scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.pause(&cap);
    k8s_daas::tenancy::claim_namespace(&mut cluster, b"team-a".to_string(), scenario.ctx());
    test_env::put_back(cluster, cap);
    scenario.end();
}

#[test]
fun withdraw_treasury_pays_the_recipient() {
    let mut scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    let funds = test_env::coin(&mut scenario, 1_000);
    cluster.deposit(funds.into_balance());
    cluster.withdraw_treasury(&cap, 600, test_env::other(), scenario.ctx());
    assert!(cluster.treasury_value() == 400);
    test_env::put_back(cluster, cap);
    scenario.next_tx(test_env::other());
    let paid = scenario.take_from_address<Coin<SUI>>(test_env::other());
    assert!(paid.value() == 600);
    paid.burn_for_testing();
    scenario.end();
}

#[test, expected_failure(abort_code = cluster::EInsufficientTreasury)]
fun withdraw_treasury_cannot_overdraw() {
    let mut scenario = test_env::begin();
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_admin_cap(&scenario);
    cluster.withdraw_treasury(&cap, 1, test_env::admin(), scenario.ctx());
    test_env::put_back(cluster, cap);
    scenario.end();
}
