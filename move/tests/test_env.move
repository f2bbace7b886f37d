// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
/// Shared setup of the unit tests: well-known addresses, a scenario with a created
/// cluster, a clock at the golden timestamp, coins, and an enclave registered with the
/// golden key.
module k8s_daas::test_env;

use std::string::String;
use sui::event;
use sui::clock::{Self, Clock};
use sui::coin::{Self, Coin};
use sui::sui::SUI;
use sui::test_scenario::{Self as ts, Scenario};
use k8s_daas::cluster::{Self, AdminCap, Cluster};
use k8s_daas::enclave;
use k8s_daas::events::K8sAPIRequestEvent;
use k8s_daas::requests;
use k8s_daas::golden;
use k8s_daas::tenancy::{Self, NamespaceCap};
use k8s_daas::workers::{Self, WorkerCap};

public fun admin(): address { @0xAD }
public fun tenant(): address { @0x7E }
public fun other(): address { @0x0B }
public fun worker_owner(): address { @0x3C }

/// A scenario whose first transaction (by `admin()`) created the cluster "prod"; the
/// next transaction is open with `admin()` as sender.
public fun begin(): Scenario {
    let mut scenario = ts::begin(admin());
    cluster::create_cluster(b"prod".to_string(), scenario.ctx());
    scenario.next_tx(admin());
    scenario
}

/// A clock set to the golden timestamp.
public fun clock(scenario: &mut Scenario): Clock {
    let mut clock = clock::create_for_testing(scenario.ctx());
    clock.set_for_testing(golden::timestamp_ms());
    clock
}

/// `amount` MIST.
public fun coin(scenario: &mut Scenario, amount: u64): Coin<SUI> {
    coin::mint_for_testing(amount, scenario.ctx())
}

/// Takes the shared cluster.
public fun take_cluster(scenario: &Scenario): Cluster {
    scenario.take_shared_by_id<Cluster>(golden::cluster_id())
}

/// Takes the admin's cap (the current sender must be `admin()`).
public fun take_admin_cap(scenario: &Scenario): AdminCap { scenario.take_from_address<AdminCap>(admin()) }

/// Returns the cluster and the admin cap.
public fun put_back(cluster: Cluster, cap: AdminCap) {
    ts::return_shared(cluster);
    ts::return_to_address(admin(), cap);
}

/// Registers the golden enclave key through the dev path; next tx by `admin()`.
public fun register_golden_enclave(scenario: &mut Scenario) {
    scenario.next_tx(admin());
    let mut cluster = take_cluster(scenario);
    let cap = take_admin_cap(scenario);
    enclave::register_dev_enclave(&mut cluster, &cap, golden::enclave_public_key(), golden::enclave_encryption_key(), golden::enclave_tls_key_sha256());
    put_back(cluster, cap);
    scenario.next_tx(admin());
}

/// `tenant()` claims `namespace` and the scenario moves to a transaction by `tenant()`.
public fun claim(scenario: &mut Scenario, namespace: String) {
    scenario.next_tx(tenant());
    let mut cluster = take_cluster(scenario);
    tenancy::claim_namespace(&mut cluster, namespace, scenario.ctx());
    ts::return_shared(cluster);
    scenario.next_tx(tenant());
}

/// The namespace cap `tenant()` holds.
public fun take_namespace_cap(scenario: &Scenario): NamespaceCap {
    scenario.take_from_address<NamespaceCap>(tenant())
}

/// `worker_owner()` registers node `node_id` with the minimum stake; next tx by the owner.
public fun register_worker(scenario: &mut Scenario, node_id: String) {
    scenario.next_tx(worker_owner());
    let mut cluster = take_cluster(scenario);
    let clock = clock(scenario);
    let stake = coin(scenario, cluster.min_worker_stake_mist());
    workers::register_worker_node(&mut cluster, node_id, golden::worker_encryption_key(), stake, &clock, scenario.ctx());
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.next_tx(worker_owner());
}

/// The worker cap `worker_owner()` holds.
public fun take_worker_cap(scenario: &Scenario): WorkerCap {
    scenario.take_from_address<WorkerCap>(worker_owner())
}

/// `other()` creates a second cluster "second" (its AdminCap goes to `other()`); returns
/// its id. The next transaction is open with `other()` as sender.
public fun create_second_cluster(scenario: &mut Scenario): ID {
    scenario.next_tx(other());
    cluster::create_cluster(b"second".to_string(), scenario.ctx());
    let effects = scenario.next_tx(other());
    effects.shared()[0]
}

/// `tenant()` holds "team-a" and submits request 1 with `create_pod(web, team-a,
/// nginx:1.27, priority 5)` paying the default fee, at the golden timestamp; returns the
/// emitted event. The next transaction is open with `tenant()` as sender.
public fun submit_golden_pod(scenario: &mut Scenario): K8sAPIRequestEvent {
    claim(scenario, b"team-a".to_string());
    let mut cluster = take_cluster(scenario);
    let cap = take_namespace_cap(scenario);
    let clock = clock(scenario);
    let fee = coin(scenario, cluster.request_fee_mist());
    requests::create_pod(
        &mut cluster,
        &cap,
        b"web".to_string(),
        b"team-a".to_string(),
        b"nginx:1.27".to_string(),
        5,
        fee,
        &clock,
        scenario.ctx(),
    );
    let emitted = event::events_by_type<K8sAPIRequestEvent>();
    clock.destroy_for_testing();
    ts::return_to_address(tenant(), cap);
    ts::return_shared(cluster);
    scenario.next_tx(tenant());
    emitted[0]
}

/// Completes `request_id` with the golden result (201, golden digest and summary) as
/// signed at `timestamp_ms` with `sequence` and `signature`.
public fun complete_golden(
    cluster: &mut Cluster,
    request_id: u64,
    timestamp_ms: u64,
    sequence: u64,
    signature: vector<u8>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    requests::complete(
        cluster,
        request_id,
        201,
        golden::output_sha256(),
        b"created pod team-a/web".to_string(),
        timestamp_ms,
        sequence,
        signature,
        clock,
        ctx,
    );
}

/// After `submit_golden_pod`: `tenant()` submits request 2 (`GET pods` in team-a via
/// `submit_get`). The next transaction is open with `tenant()` as sender.
public fun submit_golden_pod_again(scenario: &mut Scenario) {
    let mut cluster = take_cluster(scenario);
    let clock = clock(scenario);
    let fee = coin(scenario, cluster.request_fee_mist());
    let id = requests::submit_get(
        &mut cluster,
        b"pods".to_string(),
        b"team-a".to_string(),
        b"".to_string(),
        0,
        fee,
        &clock,
        scenario.ctx(),
    );
    assert!(id == 2);
    clock.destroy_for_testing();
    ts::return_shared(cluster);
    scenario.next_tx(tenant());
}
