import { bcs } from "@mysten/sui/bcs";
import {
  EXPIRED_STATUS_CODE,
  isDnsLabel,
  isDnsSubdomain,
  isResource,
  K8sAPIRequestCancelledEvent,
  K8sAPIRequestEvent,
  K8sAPIResultEvent,
  LIMITS,
  MAX_PRIORITY,
  REQUEST_METHODS,
  REQUEST_STATUS,
  signingBytes,
} from "../../protocol/index.ts";
import { RequestRecord } from "../../protocol/objects.ts";
import type { MoveFunction } from "../move-runtime.ts";
import { assertNotPaused } from "./cluster.ts";
import { signedArgs, verifyEnclaveMessage } from "./enclave.ts";
import {
  byteLength,
  type CallScope,
  type ClusterValue,
  coinValue,
  entry,
  readCluster,
  requestKey,
  takeCoin,
  writeCluster,
} from "./entry.ts";
import { deploymentManifestBytes, podManifestBytes } from "./manifests.ts";
import { readNamespaceCap } from "./tenancy.ts";

interface Submission {
  method: string;
  resource: string;
  namespace: string;
  name: string;
  payload: Uint8Array;
  /** Sealed to the enclave's encryption key (`submit_sealed`). */
  sealed: boolean;
  priority: number;
}

/**
 * `requests::record_request`: validates, escrows the fee, emits `K8sAPIRequestEvent`;
 * returns the new request id as BCS (what `submit` and `submit_get` return).
 */
function recordRequest(scope: CallScope, cluster: ClusterValue, request: Submission): Uint8Array {
  const { ctx, args, fail } = scope;
  assertNotPaused(scope, cluster);
  if (!(REQUEST_METHODS as readonly string[]).includes(request.method))
    fail("requests", "EInvalidMethod", "record_request");
  if (!isResource(request.resource)) fail("requests", "EInvalidResource", "record_request");
  if (request.name !== "" && !isDnsSubdomain(request.name))
    fail("requests", "EInvalidObjectName", "record_request");
  if (BigInt(request.payload.length) > BigInt(cluster.config.max_payload_bytes)) {
    fail("requests", "EPayloadTooLarge", "record_request");
  }
  if (request.sealed && request.payload.length === 0)
    fail("requests", "EEmptySealedPayload", "record_request");
  if (!request.sealed && request.payload.length > 0 && cluster.config.require_sealed)
    fail("requests", "EPayloadNotSealed", "record_request");
  if (request.priority > MAX_PRIORITY) fail("requests", "EInvalidPriority", "record_request");
  const feeArg = args.object("fee");
  const feeMist = coinValue(feeArg);
  if (feeMist < BigInt(cluster.config.request_fee_mist))
    fail("requests", "EInsufficientFee", "record_request");
  takeCoin(feeArg);
  const requestId = BigInt(cluster.next_request_id);
  cluster.next_request_id = (requestId + 1n).toString();
  ctx.setField(
    cluster.id,
    requestKey(requestId),
    RequestRecord.serialize({
      requester: ctx.sender,
      namespace: request.namespace,
      fee: feeMist,
      status: REQUEST_STATUS.pending,
      submitted_at_ms: ctx.clockMs,
    }).toBytes(),
  );
  ctx.emit(
    "events",
    "K8sAPIRequestEvent",
    K8sAPIRequestEvent.serialize({
      cluster_id: cluster.id,
      request_id: requestId,
      method: request.method,
      resource: request.resource,
      namespace: request.namespace,
      name: request.name,
      payload: request.payload,
      priority: request.priority,
      requester: ctx.sender,
      fee_mist: feeMist,
      timestamp_ms: ctx.clockMs,
      sealed: request.sealed,
    }).toBytes(),
  );
  writeCluster(args.object("cluster"), cluster);
  return bcs.u64().serialize(requestId).toBytes();
}

/**
 * `requests::submit` (or `submit_sealed`, which asserts the same in its own body): the cap
 * must be this cluster's and name the request's namespace.
 */
function submitWithCap(
  scope: CallScope,
  request: Submission,
  checkedIn: "submit" | "submit_sealed" = "submit",
): Uint8Array {
  const cluster = readCluster(scope.args.object("cluster"));
  const cap = readNamespaceCap(scope, cluster, scope.args.object("cap"));
  if (cap.namespace !== request.namespace) scope.fail("requests", "ENamespaceMismatch", checkedIn);
  return recordRequest(scope, cluster, request);
}

/** `requests::submit` and `requests::submit_sealed`: the same rules, another payload flag. */
function submission(
  packageId: string,
  name: "submit" | "submit_sealed",
  payloadArg: string,
  sealed: boolean,
): MoveFunction {
  return entry(packageId, name, (scope) => {
    const { args } = scope;
    return submitWithCap(
      scope,
      {
        method: args.string("method"),
        resource: args.string("resource"),
        namespace: args.string("namespace"),
        name: args.string("name"),
        payload: args.bytes(payloadArg),
        sealed,
        priority: args.number("priority"),
      },
      name,
    );
  });
}

/** `requests::borrow_pending_mut` */
function pendingRequest(scope: CallScope, cluster: ClusterValue, requestId: bigint) {
  const bytes = scope.ctx.getField(cluster.id, requestKey(requestId));
  if (!bytes) scope.fail("requests", "ERequestNotFound", "borrow_pending_mut");
  const request = RequestRecord.parse(bytes);
  if (request.status === REQUEST_STATUS.completed)
    scope.fail("requests", "EAlreadyCompleted", "borrow_pending_mut");
  if (request.status === REQUEST_STATUS.cancelled)
    scope.fail("requests", "ERequestCancelled", "borrow_pending_mut");
  return request;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

export function requestsModule(packageId: string): Record<string, MoveFunction> {
  return {
    submit: submission(packageId, "submit", "payload", false),
    submit_sealed: submission(packageId, "submit_sealed", "sealed_payload", true),
    submit_get: entry(packageId, "submit_get", (scope) => {
      const { args } = scope;
      const namespace = args.string("namespace");
      if (!isDnsLabel(namespace)) scope.fail("requests", "EInvalidNamespace");
      return recordRequest(scope, readCluster(args.object("cluster")), {
        method: "GET",
        resource: args.string("resource"),
        namespace,
        name: args.string("name"),
        payload: new Uint8Array(),
        sealed: false,
        priority: args.number("priority"),
      });
    }),
    execute_k8s_api: entry(packageId, "execute_k8s_api", (scope) => {
      const { args } = scope;
      submitWithCap(scope, {
        method: args.string("method"),
        resource: args.string("resource"),
        namespace: args.string("namespace"),
        name: args.string("name"),
        payload: utf8(args.string("payload")),
        sealed: false,
        priority: args.number("priority"),
      });
    }),
    create_pod: entry(packageId, "create_pod", (scope) => {
      const { args, fail } = scope;
      const podName = args.string("pod_name");
      const namespace = args.string("namespace");
      const payload = podManifestBytes(
        (constant) => fail("requests", constant, "pod_manifest"),
        podName,
        namespace,
        args.string("image"),
      );
      submitWithCap(scope, {
        method: "POST",
        resource: "pods",
        namespace,
        name: podName,
        payload,
        sealed: false,
        priority: args.number("priority"),
      });
    }),
    deploy_pods_batch: entry(packageId, "deploy_pods_batch", (scope) => {
      const { args, fail } = scope;
      const name = args.string("deployment_name");
      const namespace = args.string("namespace");
      const payload = deploymentManifestBytes(
        (constant) => fail("requests", constant, "deployment_manifest"),
        name,
        namespace,
        args.string("image"),
        args.number("replicas"),
      );
      submitWithCap(scope, {
        method: "POST",
        resource: "deployments",
        namespace,
        name,
        payload,
        sealed: false,
        priority: args.number("priority"),
      });
    }),
    cancel: entry(packageId, "cancel", (scope) => {
      const { ctx, args, fail } = scope;
      const cluster = readCluster(args.object("cluster"));
      const requestId = args.u64("request_id");
      const request = pendingRequest(scope, cluster, requestId);
      if (request.requester !== ctx.sender) fail("requests", "ENotRequester");
      const now = BigInt(ctx.clockMs);
      const submittedAt = BigInt(request.submitted_at_ms);
      if (now < submittedAt || now - submittedAt < BigInt(cluster.config.request_timeout_ms))
        fail("requests", "ECancelTooEarly");
      const refund = BigInt(request.fee);
      ctx.setField(
        cluster.id,
        requestKey(requestId),
        RequestRecord.serialize({
          ...request,
          fee: 0n,
          status: REQUEST_STATUS.cancelled,
        }).toBytes(),
      );
      ctx.payCoin(ctx.sender, refund);
      ctx.emit(
        "events",
        "K8sAPIRequestCancelledEvent",
        K8sAPIRequestCancelledEvent.serialize({
          cluster_id: cluster.id,
          request_id: requestId,
          requester: ctx.sender,
          refund_mist: refund,
        }).toBytes(),
      );
    }),
    complete: entry(packageId, "complete", (scope) => {
      const { ctx, args, fail } = scope;
      const clusterArg = args.object("cluster");
      const cluster = readCluster(clusterArg);
      const requestId = args.u64("request_id");
      const statusCode = args.number("status_code");
      const outputSha256 = args.bytes("output_sha256");
      const summary = args.string("summary");
      if (outputSha256.length !== LIMITS.outputDigestBytes) fail("requests", "EInvalidDigest");
      if (byteLength(summary) > LIMITS.maxResultSummaryBytes) fail("requests", "ESummaryTooLong");
      const request = pendingRequest(scope, cluster, requestId);
      const { timestampMs, sequence, signature } = signedArgs(scope);
      const message = signingBytes("requestResult", timestampMs, {
        cluster_id: cluster.id,
        sequence,
        request_id: requestId,
        status_code: statusCode,
        output_sha256: outputSha256,
        summary,
      });
      verifyEnclaveMessage(scope, cluster, message, timestampMs, sequence, signature);
      // 408: expired, never executed — the fee goes back to the requester.
      if (statusCode === EXPIRED_STATUS_CODE) ctx.payCoin(request.requester, BigInt(request.fee));
      else cluster.treasury = (BigInt(cluster.treasury) + BigInt(request.fee)).toString();
      ctx.setField(
        cluster.id,
        requestKey(requestId),
        RequestRecord.serialize({
          ...request,
          fee: 0n,
          status: REQUEST_STATUS.completed,
        }).toBytes(),
      );
      writeCluster(clusterArg, cluster);
      ctx.emit(
        "events",
        "K8sAPIResultEvent",
        K8sAPIResultEvent.serialize({
          cluster_id: cluster.id,
          request_id: requestId,
          status_code: statusCode,
          output_sha256: outputSha256,
          summary,
          requester: request.requester,
          sequence,
          timestamp_ms: timestampMs,
        }).toBytes(),
      );
    }),
  };
}
