// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// Kubernetes API requests and their results. A tenant `submit`s (paying the fee, holding
/// the namespace capability for anything but GET); the control plane sees
/// `K8sAPIRequestEvent`, executes, and the enclave `complete`s with a signed result; the
/// fee then moves to the treasury — unless the result is 408 (`EXPIRED_STATUS_CODE`: the
/// request expired and was never executed), which refunds it. A requester may `cancel` a
/// request only once the cluster's `request_timeout_ms` has passed since `submit` with no
/// result, so a cancel can never race work the control plane may still do. A payload may be
/// sealed to the enclave's encryption key (`submit_sealed`; the event's `sealed` flag says
/// so), and a cluster may require it (`cluster::require_sealed`). Records live
/// as dynamic fields `RequestKey(id) -> Request` on the cluster, so a second completion or
/// a late cancel aborts.
module k8s_daas::requests;

use std::string::String;
use sui::balance::Balance;
use sui::clock::Clock;
use sui::coin::Coin;
use sui::dynamic_field as df;
use sui::sui::SUI;
use k8s_daas::cluster::Cluster;
use k8s_daas::enclave;
use k8s_daas::events;
use k8s_daas::messages;
use k8s_daas::names;
use k8s_daas::tenancy::NamespaceCap;

// === Errors ===

/// Method is not GET, POST, PUT, PATCH or DELETE.
const EInvalidMethod: u64 = 400;
/// Resource is not `[a-z][a-z0-9./-]{0,127}`.
const EInvalidResource: u64 = 401;
/// Object name is neither empty nor a DNS-1123 subdomain.
const EInvalidObjectName: u64 = 402;
/// Payload is larger than the cluster's `max_payload_bytes`.
const EPayloadTooLarge: u64 = 403;
/// Priority is not 0..=9.
const EInvalidPriority: u64 = 404;
/// The fee coin is worth less than the cluster's request fee.
const EInsufficientFee: u64 = 405;
/// The namespace argument differs from the capability's namespace.
const ENamespaceMismatch: u64 = 406;
/// No request with this id.
const ERequestNotFound: u64 = 407;
/// Only the requester may cancel.
const ENotRequester: u64 = 408;
/// The request already has a result.
const EAlreadyCompleted: u64 = 409;
/// The request was cancelled.
const ERequestCancelled: u64 = 410;
/// The output digest is not 32 bytes.
const EInvalidDigest: u64 = 411;
/// The result summary is longer than `MAX_SUMMARY_BYTES`.
const ESummaryTooLong: u64 = 412;
/// The image reference has characters outside `[A-Za-z0-9._/:@-]` or is too long.
const EInvalidImage: u64 = 413;
/// Replicas is not 1..=`MAX_REPLICAS`.
const EInvalidReplicas: u64 = 414;
/// The namespace is not a DNS-1123 label.
const EInvalidNamespace: u64 = 415;
/// The request may be cancelled only `request_timeout_ms` after it was submitted.
const ECancelTooEarly: u64 = 416;
/// A sealed payload is empty (there is nothing to seal).
const EEmptySealedPayload: u64 = 417;
/// The cluster requires sealing and the payload is plaintext (and not empty).
const EPayloadNotSealed: u64 = 418;

const MAX_PRIORITY: u8 = 9;
const MAX_SUMMARY_BYTES: u64 = 256;
const MAX_REPLICAS: u32 = 100;
const SHA256_BYTES: u64 = 32;
/// `complete`'s status code for "expired, never executed" (HTTP 408): the fee goes back to
/// the requester instead of the treasury.
const EXPIRED_STATUS_CODE: u16 = 408;

/// `Request.status`: waiting for a result.
const STATUS_PENDING: u8 = 0;
/// `Request.status`: answered by the enclave.
const STATUS_COMPLETED: u8 = 1;
/// `Request.status`: cancelled by the requester.
const STATUS_CANCELLED: u8 = 2;

/// Dynamic-field key of a request on the cluster.
public struct RequestKey has copy, drop, store { request_id: u64 }

/// What the chain remembers about a request: who asked, the escrowed fee, its status, and
/// when it was submitted (the clock at `submit`, the start of its cancel timeout).
public struct Request has store {
    requester: address,
    namespace: String,
    fee: Balance<SUI>,
    status: u8,
    submitted_at_ms: u64,
}

/// Submits a request into the namespace `cap` grants (any method). Returns the request id.
/// Emits `K8sAPIRequestEvent{sealed: false}`. Aborts `cluster::EPaused`,
/// `tenancy::EWrongCluster`, `ENamespaceMismatch`, `EInvalidMethod`, `EInvalidResource`,
/// `EInvalidObjectName`, `EPayloadTooLarge`, `EPayloadNotSealed` (a non-empty payload on a
/// cluster that requires sealing), `EInvalidPriority`, `EInsufficientFee`.
public fun submit(
    cluster: &mut Cluster,
    cap: &NamespaceCap,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    payload: vector<u8>,
    priority: u8,
    fee: Coin<SUI>,
    clock: &Clock,
    ctx: &TxContext,
): u64 {
    k8s_daas::tenancy::assert_cap(cluster, cap);
    assert!(cap.namespace() == namespace, ENamespaceMismatch);
    record_request(cluster, method, resource, namespace, name, payload, false, priority, fee, clock, ctx)
}

/// As `submit`, with `sealed_payload` sealed to the cluster's `enclave_encryption_key` (the
/// format is `src/protocol/sealed-payload.ts`; the chain only checks it is not empty). Any
/// method, a GET too (its sealed payload names the one-time key its output is sealed to).
/// Emits `K8sAPIRequestEvent{sealed: true}`. Aborts as `submit` (never `EPayloadNotSealed`),
/// and `EEmptySealedPayload`.
public fun submit_sealed(
    cluster: &mut Cluster,
    cap: &NamespaceCap,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    sealed_payload: vector<u8>,
    priority: u8,
    fee: Coin<SUI>,
    clock: &Clock,
    ctx: &TxContext,
): u64 {
    k8s_daas::tenancy::assert_cap(cluster, cap);
    assert!(cap.namespace() == namespace, ENamespaceMismatch);
    record_request(cluster, method, resource, namespace, name, sealed_payload, true, priority, fee, clock, ctx)
}

/// Submits a read (GET) into any namespace; no capability needed. Returns the request id.
/// Emits `K8sAPIRequestEvent`. Aborts `cluster::EPaused`, `EInvalidNamespace`,
/// `EInvalidResource`, `EInvalidObjectName`, `EInvalidPriority`, `EInsufficientFee`.
public fun submit_get(
    cluster: &mut Cluster,
    resource: String,
    namespace: String,
    name: String,
    priority: u8,
    fee: Coin<SUI>,
    clock: &Clock,
    ctx: &TxContext,
): u64 {
    assert!(names::is_dns_label(&namespace), EInvalidNamespace);
    record_request(cluster, b"GET".to_string(), resource, namespace, name, vector[], false, priority, fee, clock, ctx)
}

/// Seed entry point: any Kubernetes API call (`payload` is the YAML/JSON body, may be
/// empty). Same rules and aborts as `submit`.
public entry fun execute_k8s_api(
    cluster: &mut Cluster,
    cap: &NamespaceCap,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    payload: String,
    priority: u8,
    fee: Coin<SUI>,
    clock: &Clock,
    ctx: &TxContext,
) {
    submit(cluster, cap, method, resource, namespace, name, payload.into_bytes(), priority, fee, clock, ctx);
}

/// Seed entry point: POST `pods` with a one-container Pod manifest (JSON, see
/// `pod_manifest`). Aborts as `submit`, and `EInvalidObjectName`, `EInvalidImage`.
public entry fun create_pod(
    cluster: &mut Cluster,
    cap: &NamespaceCap,
    pod_name: String,
    namespace: String,
    image: String,
    priority: u8,
    fee: Coin<SUI>,
    clock: &Clock,
    ctx: &TxContext,
) {
    let manifest = pod_manifest(pod_name, namespace, image);
    submit(cluster, cap, b"POST".to_string(), b"pods".to_string(), namespace, pod_name, manifest, priority, fee, clock, ctx);
}

/// Seed entry point: POST `deployments` with a Deployment of `replicas` (1..=100) pods
/// running `image` (JSON, see `deployment_manifest`). Aborts as `submit`, and
/// `EInvalidObjectName`, `EInvalidImage`, `EInvalidReplicas`.
public entry fun deploy_pods_batch(
    cluster: &mut Cluster,
    cap: &NamespaceCap,
    deployment_name: String,
    namespace: String,
    image: String,
    replicas: u32,
    priority: u8,
    fee: Coin<SUI>,
    clock: &Clock,
    ctx: &TxContext,
) {
    let manifest = deployment_manifest(deployment_name, namespace, image, replicas);
    submit(cluster, cap, b"POST".to_string(), b"deployments".to_string(), namespace, deployment_name, manifest, priority, fee, clock, ctx);
}

/// Cancels a pending request and refunds its fee to the requester, once the cluster's
/// `request_timeout_ms` has passed since it was submitted with no result (the control plane
/// never starts a request older than half of that). Requester only. Emits
/// `K8sAPIRequestCancelledEvent`. Aborts `ERequestNotFound`, `EAlreadyCompleted`,
/// `ERequestCancelled`, `ENotRequester`, `ECancelTooEarly`.
public fun cancel(cluster: &mut Cluster, request_id: u64, clock: &Clock, ctx: &mut TxContext) {
    let cluster_id = object::id(cluster);
    let timeout = cluster.request_timeout_ms();
    let request = borrow_pending_mut(cluster, request_id);
    assert!(request.requester == ctx.sender(), ENotRequester);
    let now = clock.timestamp_ms();
    // Subtract instead of adding the timeout, which could overflow u64.
    assert!(now >= request.submitted_at_ms && now - request.submitted_at_ms >= timeout, ECancelTooEarly);
    request.status = STATUS_CANCELLED;
    let refund = request.fee.withdraw_all();
    let refund_mist = refund.value();
    transfer::public_transfer(refund.into_coin(ctx), ctx.sender());
    events::emit_request_cancelled(cluster_id, request_id, ctx.sender(), refund_mist);
}

/// Records the enclave's signed result for a pending request. The fee moves to the
/// treasury, except for `status_code` 408 (`EXPIRED_STATUS_CODE`): the enclave declares the
/// request expired and never executed, and the fee goes back to the requester. Anyone may
/// submit it: the signature over `RequestResultPayload` (intent 0) is the authority. Emits
/// `K8sAPIResultEvent` (for 408 too). Aborts `EInvalidDigest`, `ESummaryTooLong`,
/// `ERequestNotFound`, `EAlreadyCompleted`, `ERequestCancelled`, and the `enclave`
/// verifier's codes.
public fun complete(
    cluster: &mut Cluster,
    request_id: u64,
    status_code: u16,
    output_sha256: vector<u8>,
    summary: String,
    timestamp_ms: u64,
    sequence: u64,
    signature: vector<u8>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    assert!(output_sha256.length() == SHA256_BYTES, EInvalidDigest);
    assert!(summary.length() <= MAX_SUMMARY_BYTES, ESummaryTooLong);
    let cluster_id = object::id(cluster);
    let requester = borrow_pending_mut(cluster, request_id).requester;
    let payload = messages::request_result(cluster_id, sequence, request_id, status_code, output_sha256, summary);
    let message = messages::signing_bytes(messages::intent_request_result(), timestamp_ms, payload);
    enclave::verify_enclave_message(cluster, message, timestamp_ms, sequence, &signature, clock);
    let request = borrow_pending_mut(cluster, request_id);
    request.status = STATUS_COMPLETED;
    let fee = request.fee.withdraw_all();
    if (status_code == EXPIRED_STATUS_CODE) {
        transfer::public_transfer(fee.into_coin(ctx), requester);
    } else {
        cluster.deposit(fee);
    };
    events::emit_result(cluster_id, request_id, status_code, output_sha256, summary, requester, sequence, timestamp_ms);
}

/// True when a request with this id exists.
public fun exists(cluster: &Cluster, request_id: u64): bool {
    df::exists_(cluster.uid(), RequestKey { request_id })
}

/// A request's status: 0 pending, 1 completed, 2 cancelled (aborts `ERequestNotFound` if unknown).
public fun status(cluster: &Cluster, request_id: u64): u8 {
    borrow(cluster, request_id).status
}

/// A request's requester (aborts `ERequestNotFound` if unknown).
public fun requester(cluster: &Cluster, request_id: u64): address {
    borrow(cluster, request_id).requester
}

/// A request's target namespace (aborts `ERequestNotFound` if unknown).
public fun request_namespace(cluster: &Cluster, request_id: u64): String {
    borrow(cluster, request_id).namespace
}

/// Fee still escrowed by a request, MIST (aborts `ERequestNotFound` if unknown).
public fun escrowed_fee(cluster: &Cluster, request_id: u64): u64 {
    borrow(cluster, request_id).fee.value()
}

/// When a request was submitted: the clock at `submit`, ms (aborts `ERequestNotFound` if
/// unknown).
public fun submitted_at_ms(cluster: &Cluster, request_id: u64): u64 {
    borrow(cluster, request_id).submitted_at_ms
}

/// The status code with which `complete` refunds the fee: 408, "expired, never executed".
public fun expired_status_code(): u16 { EXPIRED_STATUS_CODE }

/// JSON Pod manifest `create_pod` sends: one container named like the pod.
public fun pod_manifest(pod_name: String, namespace: String, image: String): vector<u8> {
    assert!(names::is_dns_label(&pod_name), EInvalidObjectName);
    assert!(names::is_image(&image), EInvalidImage);
    let mut json = b"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"";
    json.append(pod_name.into_bytes());
    json.append(b"\",\"namespace\":\"");
    json.append(namespace.into_bytes());
    json.append(b"\"},\"spec\":{\"containers\":[{\"name\":\"");
    json.append(pod_name.into_bytes());
    json.append(b"\",\"image\":\"");
    json.append(image.into_bytes());
    json.append(b"\"}]}}");
    json
}

/// JSON Deployment manifest `deploy_pods_batch` sends: `replicas` pods labelled
/// `app=<name>`, one container named like the deployment.
public fun deployment_manifest(name: String, namespace: String, image: String, replicas: u32): vector<u8> {
    assert!(names::is_dns_label(&name), EInvalidObjectName);
    assert!(names::is_image(&image), EInvalidImage);
    assert!(replicas >= 1 && replicas <= MAX_REPLICAS, EInvalidReplicas);
    let mut json = b"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"";
    json.append(name.into_bytes());
    json.append(b"\",\"namespace\":\"");
    json.append(namespace.into_bytes());
    json.append(b"\"},\"spec\":{\"replicas\":");
    json.append(replicas.to_string().into_bytes());
    json.append(b",\"selector\":{\"matchLabels\":{\"app\":\"");
    json.append(name.into_bytes());
    json.append(b"\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"");
    json.append(name.into_bytes());
    json.append(b"\"}},\"spec\":{\"containers\":[{\"name\":\"");
    json.append(name.into_bytes());
    json.append(b"\",\"image\":\"");
    json.append(image.into_bytes());
    json.append(b"\"}]}}}}");
    json
}

/// The common path of every submission: validate, escrow the fee, store the record, emit.
fun record_request(
    cluster: &mut Cluster,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    payload: vector<u8>,
    sealed: bool,
    priority: u8,
    fee: Coin<SUI>,
    clock: &Clock,
    ctx: &TxContext,
): u64 {
    cluster.assert_not_paused();
    assert!(is_method(&method), EInvalidMethod);
    assert!(names::is_resource(&resource), EInvalidResource);
    assert!(name.is_empty() || names::is_dns_subdomain(&name), EInvalidObjectName);
    assert!(payload.length() <= cluster.max_payload_bytes(), EPayloadTooLarge);
    assert!(!sealed || !payload.is_empty(), EEmptySealedPayload);
    assert!(sealed || payload.is_empty() || !cluster.require_sealed(), EPayloadNotSealed);
    assert!(priority <= MAX_PRIORITY, EInvalidPriority);
    let fee_mist = fee.value();
    assert!(fee_mist >= cluster.request_fee_mist(), EInsufficientFee);
    let request_id = cluster.take_request_id();
    let record = Request {
        requester: ctx.sender(),
        namespace,
        fee: fee.into_balance(),
        status: STATUS_PENDING,
        submitted_at_ms: clock.timestamp_ms(),
    };
    df::add(cluster.uid_mut(), RequestKey { request_id }, record);
    events::emit_request(events::new_request_event(
        object::id(cluster),
        request_id,
        method,
        resource,
        namespace,
        name,
        payload,
        priority,
        ctx.sender(),
        fee_mist,
        clock.timestamp_ms(),
        sealed,
    ));
    request_id
}

fun borrow(cluster: &Cluster, request_id: u64): &Request {
    let key = RequestKey { request_id };
    assert!(df::exists_(cluster.uid(), key), ERequestNotFound);
    df::borrow(cluster.uid(), key)
}

fun borrow_pending_mut(cluster: &mut Cluster, request_id: u64): &mut Request {
    let key = RequestKey { request_id };
    assert!(df::exists_(cluster.uid(), key), ERequestNotFound);
    let request: &mut Request = df::borrow_mut(cluster.uid_mut(), key);
    assert!(request.status != STATUS_COMPLETED, EAlreadyCompleted);
    assert!(request.status != STATUS_CANCELLED, ERequestCancelled);
    request
}

fun is_method(method: &String): bool {
    let m = method.as_bytes();
    *m == b"GET" || *m == b"POST" || *m == b"PUT" || *m == b"PATCH" || *m == b"DELETE"
}
