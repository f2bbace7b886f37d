// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module k8s_daas::seal_policy_tests;

use std::string::String;
use sui::test_scenario as ts;
use k8s_daas::cluster::Cluster;
use k8s_daas::seal_policy;
use k8s_daas::test_env;

/// The Sui address of `golden::enclave_public_key()`, blake2b256(0x00 || key), as
/// `@mysten/sui`'s `Ed25519PublicKey.toSuiAddress()` computes it: written down, not
/// recomputed, so the test checks the derivation rather than repeating it.
const GOLDEN_ENCLAVE_ADDRESS: address = @0x0881c07520943bbf13989b92892093c1b50672156fa5f873c22892701cb2e207;
/// The address of `golden::other_public_key()`.
const OTHER_KEY_ADDRESS: address = @0x48936240c871663e6ba416724158736101ccab29436f72ae3ae4c8fa1ce7e45f;

/// `cluster id || len(namespace) || namespace || claim || nonce`.
fun identity(cluster_id: ID, namespace: String, claim: ID, nonce: vector<u8>): vector<u8> {
    let mut id = cluster_id.to_bytes();
    let name = *namespace.as_bytes();
    id.push_back((name.length() as u8));
    id.append(name);
    id.append(claim.to_bytes());
    id.append(nonce);
    id
}

/// `tenant()` holds team-a and the golden enclave key is registered; the next transaction
/// is open with `tenant()` as sender.
fun team_a_with_enclave(): ts::Scenario {
    let mut scenario = test_env::begin();
    test_env::register_golden_enclave(&mut scenario);
    test_env::claim(&mut scenario, b"team-a".to_string());
    scenario
}

/// `sender` asks for the keys of `id` in a transaction of its own.
fun check(scenario: &mut ts::Scenario, id: vector<u8>, sender: address) {
    scenario.next_tx(sender);
    let cluster: Cluster = test_env::take_cluster(scenario);
    seal_policy::assert_access(&id, &cluster, sender);
    ts::return_shared(cluster);
}

/// An identity of team-a's current claim (the cap `tenant()` holds).
fun team_a_identity(scenario: &ts::Scenario): vector<u8> {
    let cluster: Cluster = test_env::take_cluster(scenario);
    let cap = test_env::take_namespace_cap(scenario);
    let id = identity(object::id(&cluster), b"team-a".to_string(), object::id(&cap), x"0102030405");
    ts::return_to_address(test_env::tenant(), cap);
    ts::return_shared(cluster);
    id
}

#[test]
fun the_namespace_owner_is_approved() {
    let mut scenario = team_a_with_enclave();
    let id = team_a_identity(&scenario);
    check(&mut scenario, id, test_env::tenant());
    scenario.end();
}

#[test]
fun the_registered_enclave_is_approved() {
    let mut scenario = team_a_with_enclave();
    let id = team_a_identity(&scenario);
    check(&mut scenario, id, GOLDEN_ENCLAVE_ADDRESS);
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::ENoAccess)]
fun another_tenant_is_refused() {
    let mut scenario = team_a_with_enclave();
    let id = team_a_identity(&scenario);
    check(&mut scenario, id, test_env::other());
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::ENoAccess)]
fun an_unregistered_enclave_key_is_refused() {
    let mut scenario = team_a_with_enclave();
    let id = team_a_identity(&scenario);
    check(&mut scenario, id, OTHER_KEY_ADDRESS);
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::ENoAccess)]
fun the_enclave_address_is_refused_while_no_enclave_is_registered() {
    let mut scenario = test_env::begin();
    test_env::claim(&mut scenario, b"team-a".to_string());
    let id = team_a_identity(&scenario);
    check(&mut scenario, id, GOLDEN_ENCLAVE_ADDRESS);
    scenario.end();
}

#[test]
fun a_transferred_namespace_moves_access_to_the_new_holder() {
    let mut scenario = team_a_with_enclave();
    let id = team_a_identity(&scenario);
    scenario.next_tx(test_env::tenant());
    let mut cluster: Cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    k8s_daas::tenancy::transfer_namespace(&mut cluster, cap, test_env::other());
    ts::return_shared(cluster);
    scenario.next_tx(test_env::other());
    check(&mut scenario, id, test_env::other());
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::ENoAccess)]
fun a_released_namespace_refuses_its_former_owner() {
    let mut scenario = team_a_with_enclave();
    let id = team_a_identity(&scenario);
    scenario.next_tx(test_env::tenant());
    let mut cluster: Cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    k8s_daas::tenancy::release_namespace(&mut cluster, cap, scenario.ctx());
    ts::return_shared(cluster);
    scenario.next_tx(test_env::tenant());
    check(&mut scenario, id, test_env::tenant());
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::ENoAccess)]
fun the_owner_of_another_namespace_is_refused() {
    let mut scenario = team_a_with_enclave();
    scenario.next_tx(test_env::other());
    let mut cluster: Cluster = test_env::take_cluster(&scenario);
    k8s_daas::tenancy::claim_namespace(&mut cluster, b"team-b".to_string(), scenario.ctx());
    ts::return_shared(cluster);
    scenario.next_tx(test_env::other());
    let id = team_a_identity(&scenario);
    check(&mut scenario, id, test_env::other());
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::EWrongCluster)]
fun an_identity_of_another_cluster_is_refused() {
    let mut scenario = team_a_with_enclave();
    let second = test_env::create_second_cluster(&mut scenario);
    let id = identity(second, b"team-a".to_string(), second, x"01");
    check(&mut scenario, id, test_env::tenant());
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::EInvalidIdentity)]
fun an_identity_shorter_than_a_cluster_id_is_refused() {
    let mut scenario = team_a_with_enclave();
    check(&mut scenario, x"0102", test_env::tenant());
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::EInvalidIdentity)]
fun a_namespace_length_past_the_end_is_refused() {
    let mut scenario = team_a_with_enclave();
    let cluster: Cluster = test_env::take_cluster(&scenario);
    let mut id = object::id(&cluster).to_bytes();
    ts::return_shared(cluster);
    id.push_back(40);
    id.append(b"team-a");
    check(&mut scenario, id, test_env::tenant());
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::EStaleClaim)]
fun a_namespace_claimed_again_does_not_open_the_previous_claims_secrets() {
    let mut scenario = team_a_with_enclave();
    let id = team_a_identity(&scenario);
    scenario.next_tx(test_env::tenant());
    let mut cluster: Cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    k8s_daas::tenancy::release_namespace(&mut cluster, cap, scenario.ctx());
    ts::return_shared(cluster);
    scenario.next_tx(test_env::other());
    let mut cluster: Cluster = test_env::take_cluster(&scenario);
    k8s_daas::tenancy::claim_namespace(&mut cluster, b"team-a".to_string(), scenario.ctx());
    ts::return_shared(cluster);
    check(&mut scenario, id, test_env::other());
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::EStaleClaim)]
fun the_enclave_does_not_open_a_previous_claims_secrets_either() {
    let mut scenario = team_a_with_enclave();
    let id = team_a_identity(&scenario);
    scenario.next_tx(test_env::tenant());
    let mut cluster: Cluster = test_env::take_cluster(&scenario);
    let cap = test_env::take_namespace_cap(&scenario);
    k8s_daas::tenancy::release_namespace(&mut cluster, cap, scenario.ctx());
    ts::return_shared(cluster);
    test_env::claim(&mut scenario, b"team-a".to_string());
    check(&mut scenario, id, GOLDEN_ENCLAVE_ADDRESS);
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::EInvalidIdentity)]
fun an_identity_without_its_claim_is_refused() {
    let mut scenario = team_a_with_enclave();
    let cluster: Cluster = test_env::take_cluster(&scenario);
    let mut id = object::id(&cluster).to_bytes();
    ts::return_shared(cluster);
    id.push_back(6);
    id.append(b"team-a");
    id.append(x"0102");
    check(&mut scenario, id, test_env::tenant());
    scenario.end();
}

#[test, expected_failure(abort_code = seal_policy::EInvalidIdentity)]
fun a_namespace_that_is_not_utf8_is_refused() {
    let mut scenario = team_a_with_enclave();
    let cluster: Cluster = test_env::take_cluster(&scenario);
    let mut id = object::id(&cluster).to_bytes();
    ts::return_shared(cluster);
    id.push_back(2);
    id.append(x"fffe");
    id.append(object::id_from_address(@0x1).to_bytes());
    check(&mut scenario, id, test_env::tenant());
    scenario.end();
}
