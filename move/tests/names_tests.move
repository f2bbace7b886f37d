// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

#[test_only]
module k8s_daas::names_tests;

use k8s_daas::names;

#[test]
fun dns_labels() {
    assert!(names::is_dns_label(&b"a".to_string()));
    assert!(names::is_dns_label(&b"team-a1".to_string()));
    assert!(!names::is_dns_label(&b"".to_string()));
    assert!(!names::is_dns_label(&b"-a".to_string()));
    assert!(!names::is_dns_label(&b"a.b".to_string()));
    assert!(!names::is_dns_label(&b"A".to_string()));
    let mut long = b"".to_string();
    64u64.do!(|_| long.append(b"a".to_string()));
    assert!(!names::is_dns_label(&long));
}

#[test]
fun dns_subdomains_resources_and_images() {
    assert!(names::is_dns_subdomain(&b"web.v1-x".to_string()));
    assert!(!names::is_dns_subdomain(&b"web.".to_string()));
    assert!(!names::is_dns_subdomain(&b"a..b".to_string()));
    assert!(!names::is_dns_subdomain(&b"a.-b".to_string()));
    assert!(!names::is_dns_subdomain(&b"a_b".to_string()));
    assert!(names::is_dns_subdomain(&b"a".to_string()));
    assert!(names::is_resource(&b"apps/v1/deployments".to_string()));
    assert!(!names::is_resource(&b"1pods".to_string()));
    assert!(!names::is_resource(&b"Pods".to_string()));
    assert!(names::is_image(&b"ghcr.io/org/app:1.2@sha256:ab".to_string()));
    assert!(!names::is_image(&b"nginx\"}".to_string()));
    assert!(!names::is_image(&b"nginx latest".to_string()));
    assert!(!names::is_image(&b"".to_string()));
}
