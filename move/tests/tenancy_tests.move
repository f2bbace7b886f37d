// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module k8s_daas::tenancy_tests;

use sui::test_scenario as ts;
use k8s_daas::tenancy::{Self, NamespaceCap};
use k8s_daas::test_env;

#[test]
fun claim_gives_the_sender_a_cap_and_records_the_owner() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    assert!(cap.namespace() == b"team-a".to_string());
    assert!(cap.cap_cluster_id() == object::id(&cluster));
    assert!(tenancy::is_claimed(&cluster, b"team-a".to_string()));
    assert!(tenancy::owner(&cluster, b"team-a".to_string()) == test_env::tenant());
    assert!(!tenancy::is_claimed(&cluster, b"team-b".to_string()));
    assert!(k8s_daas::events::namespace_claimed() == 0);
    assert!(k8s_daas::events::namespace_transferred() == 1);
    assert!(k8s_daas::events::namespace_released() == 2);
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = tenancy::EInvalidNamespace)]
fun namespace_must_be_a_dns_label() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"Team_A".to_string());
    scenario.end();
}

#[test, expected_failure(abort_code = tenancy::EInvalidNamespace)]
fun namespace_cannot_end_with_a_dash() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-".to_string());
    scenario.end();
}

#[test, expected_failure(abort_code = tenancy::ENamespaceReserved)]
fun kube_prefixed_namespaces_are_reserved() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"kube-system".to_string());
    scenario.end();
}

#[test, expected_failure(abort_code = tenancy::ENamespaceReserved)]
fun default_namespace_is_reserved() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"default".to_string());
    scenario.end();
}

#[test, expected_failure(abort_code = tenancy::ENamespaceTaken)]
fun a_claimed_namespace_cannot_be_claimed_again() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    scenario.next_tx(test_env::other());
    let mut cluster = test_env::take_cluster(&scenario);
    tenancy::claim_namespace(&mut cluster, b"team-a".to_string(), scenario.ctx());
    ts::return_shared(cluster);
    scenario.end();
}

#[test]
fun transfer_moves_the_cap_and_the_owner_record() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    tenancy::transfer_namespace(&mut cluster, cap, test_env::other());
    assert!(tenancy::owner(&cluster, b"team-a".to_string()) == test_env::other());
    ts::return_shared(cluster);
    scenario.next_tx(test_env::other());
    let moved = scenario.take_from_address<NamespaceCap>(test_env::other());
    assert!(moved.namespace() == b"team-a".to_string());
    ts::return_to_address(test_env::other(), moved);
    scenario.end();
}

#[test]
fun release_frees_the_name_for_a_new_claim() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let mut cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    tenancy::release_namespace(&mut cluster, cap, scenario.ctx());
    assert!(!tenancy::is_claimed(&cluster, b"team-a".to_string()));
    tenancy::claim_namespace(&mut cluster, b"team-a".to_string(), scenario.ctx());
    assert!(tenancy::is_claimed(&cluster, b"team-a".to_string()));
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = tenancy::EWrongCluster)]
fun a_cap_from_another_cluster_is_refused() {
    let mut scenario = test_env::begin();
    let second_id = test_env::create_second_cluster(&mut scenario);
    let mut second = scenario.take_shared_by_id<k8s_daas::cluster::Cluster>(second_id);
    tenancy::claim_namespace(&mut second, b"team-a".to_string(), scenario.ctx());
    ts::return_shared(second);
    scenario.next_tx(test_env::other());
    let foreign = scenario.take_from_address<NamespaceCap>(test_env::other());
    let mut cluster = test_env::take_cluster(&scenario);
    tenancy::release_namespace(&mut cluster, foreign, scenario.ctx());
    ts::return_shared(cluster);
    scenario.end();
}

#[test, expected_failure(abort_code = tenancy::ENamespaceNotClaimed)]
fun owner_of_an_unclaimed_namespace_aborts() {
    let scenario = test_env::begin();
    let cluster = test_env::take_cluster(&scenario);
    tenancy::owner(&cluster, b"team-z".to_string());
    ts::return_shared(cluster);
    scenario.end();
}
