// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// Pure checks of Kubernetes-style names. They return bools so each caller aborts with
/// its own module's error constant.
module k8s_daas::names;

use std::string::String;

const MAX_LABEL_BYTES: u64 = 63;
const MAX_SUBDOMAIN_BYTES: u64 = 253;
const MAX_RESOURCE_BYTES: u64 = 128;
const MAX_IMAGE_BYTES: u64 = 255;

fun is_lower_alnum(c: u8): bool {
    (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
}

/// DNS-1123 label: 1..=63 bytes of `[a-z0-9-]`, starting and ending alphanumeric.
public fun is_dns_label(name: &String): bool {
    let bytes = name.as_bytes();
    let len = bytes.length();
    if (len == 0 || len > MAX_LABEL_BYTES) return false;
    if (!is_lower_alnum(bytes[0]) || !is_lower_alnum(bytes[len - 1])) return false;
    bytes.all!(|c| is_lower_alnum(*c) || *c == 0x2d)
}

/// DNS-1123 subdomain: 1..=253 bytes, dot-separated labels of `[a-z0-9-]` that start and
/// end alphanumeric.
public fun is_dns_subdomain(name: &String): bool {
    let bytes = name.as_bytes();
    let len = bytes.length();
    if (len == 0 || len > MAX_SUBDOMAIN_BYTES) return false;
    if (!is_lower_alnum(bytes[0]) || !is_lower_alnum(bytes[len - 1])) return false;
    let mut i = 1;
    while (i < len - 1) {
        let c = bytes[i];
        if (c == 0x2e) {
            // A dot must sit between two alphanumerics: no empty label, no label edge dash.
            if (!is_lower_alnum(bytes[i - 1]) || !is_lower_alnum(bytes[i + 1])) return false;
        } else if (!is_lower_alnum(c) && c != 0x2d) return false;
        i = i + 1;
    };
    true
}

/// Resource kind such as `pods`, `deployments.apps` or `apps/v1/deployments`:
/// 1..=128 bytes of `[a-z0-9./-]`, starting with a letter.
public fun is_resource(resource: &String): bool {
    let bytes = resource.as_bytes();
    let len = bytes.length();
    if (len == 0 || len > MAX_RESOURCE_BYTES) return false;
    if (bytes[0] < 0x61 || bytes[0] > 0x7a) return false;
    bytes.all!(|c| is_lower_alnum(*c) || *c == 0x2d || *c == 0x2e || *c == 0x2f)
}

/// Container image reference safe to embed in a JSON string: 1..=255 bytes of
/// `[A-Za-z0-9._/:@-]` (no quotes, backslashes, spaces or control bytes).
public fun is_image(image: &String): bool {
    let bytes = image.as_bytes();
    let len = bytes.length();
    if (len == 0 || len > MAX_IMAGE_BYTES) return false;
    bytes.all!(|c| {
        let c = *c;
        is_lower_alnum(c) || (c >= 0x41 && c <= 0x5a) || c == 0x2e || c == 0x5f || c == 0x2f
            || c == 0x3a || c == 0x40 || c == 0x2d
    })
}
