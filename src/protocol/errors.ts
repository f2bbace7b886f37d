// Every abort code of the Move package, in one table: module, constant name, numeric code
// and a human message. `test/protocol/abort-codes.test.ts` fails when a Move error
// constant has no twin here (or the code differs). The devnet raises the same codes.
import type { MoveModule } from "./constants.ts";

export interface AbortCodeInfo {
  readonly module: MoveModule;
  readonly name: string;
  readonly code: number;
  readonly message: string;
}

const entry = (module: MoveModule, name: string, code: number, message: string): AbortCodeInfo => ({
  module,
  name,
  code,
  message,
});

export const ABORT_CODES: readonly AbortCodeInfo[] = [
  entry("cluster", "ENotAdmin", 100, "the AdminCap belongs to another cluster"),
  entry("cluster", "EPaused", 101, "the cluster is paused"),
  entry("cluster", "EInvalidConfig", 102, "configuration value out of range"),
  entry("cluster", "EInsufficientTreasury", 103, "the treasury holds less than requested"),
  entry("cluster", "EInvalidClusterName", 104, "cluster name must be 1..=63 bytes"),
  entry("enclave", "EInvalidPcrs", 200, "PCRs must be three 48-byte values, none all zero"),
  entry("enclave", "EPcrMismatch", 201, "attested PCRs differ from the cluster's expected PCRs"),
  entry("enclave", "EInvalidPublicKey", 202, "enclave public key missing or not 32 bytes"),
  entry(
    "enclave",
    "EDevEnclaveDisabled",
    203,
    "dev enclaves are turned off: no dev key may be registered or rotated",
  ),
  entry("enclave", "ENoEnclaveKey", 204, "no enclave key is registered"),
  entry("enclave", "ETimestampOutOfWindow", 205, "signed timestamp is outside the window"),
  entry("enclave", "ESequenceReplay", 206, "sequence not greater than the last accepted one"),
  entry("enclave", "EInvalidSignature", 207, "signature does not verify against the enclave key"),
  entry("enclave", "EPcrsNotConfigured", 208, "the admin has not configured expected PCRs"),
  entry("enclave", "EInvalidEncryptionKey", 209, "enclave encryption key missing or not 32 bytes"),
  entry("enclave", "EInvalidTlsKeyHash", 210, "enclave TLS key hash is not 32 bytes"),
  entry(
    "enclave",
    "EInvalidUserData",
    211,
    "attestation user_data is not BCS EnclavePublicKeys naming the attested public key",
  ),
  entry("tenancy", "EInvalidNamespace", 300, "namespace is not a DNS-1123 label"),
  entry("tenancy", "ENamespaceTaken", 301, "namespace is already claimed"),
  entry("tenancy", "ENamespaceReserved", 302, "namespace is reserved (default, kube-*)"),
  entry("tenancy", "EWrongCluster", 303, "the NamespaceCap belongs to another cluster"),
  entry("tenancy", "ENamespaceNotClaimed", 304, "nobody holds this namespace"),
  entry("requests", "EInvalidMethod", 400, "method must be GET, POST, PUT, PATCH or DELETE"),
  entry("requests", "EInvalidResource", 401, "resource must match [a-z][a-z0-9./-]{0,127}"),
  entry("requests", "EInvalidObjectName", 402, "object name must be empty or a DNS-1123 subdomain"),
  entry("requests", "EPayloadTooLarge", 403, "payload exceeds the cluster's max_payload_bytes"),
  entry("requests", "EInvalidPriority", 404, "priority must be 0..=9"),
  entry("requests", "EInsufficientFee", 405, "fee is below the cluster's request fee"),
  entry("requests", "ENamespaceMismatch", 406, "namespace differs from the NamespaceCap's"),
  entry("requests", "ERequestNotFound", 407, "no request with this id"),
  entry("requests", "ENotRequester", 408, "only the requester may cancel"),
  entry("requests", "EAlreadyCompleted", 409, "the request already has a result"),
  entry("requests", "ERequestCancelled", 410, "the request was cancelled"),
  entry("requests", "EInvalidDigest", 411, "output digest must be 32 bytes"),
  entry("requests", "ESummaryTooLong", 412, "result summary exceeds 256 bytes"),
  entry("requests", "EInvalidImage", 413, "image must be 1..=255 bytes of [A-Za-z0-9._/:@-]"),
  entry("requests", "EInvalidReplicas", 414, "replicas must be 1..=100"),
  entry("requests", "EInvalidNamespace", 415, "namespace is not a DNS-1123 label"),
  entry(
    "requests",
    "ECancelTooEarly",
    416,
    "a request may be cancelled only after the cluster's request timeout",
  ),
  entry("requests", "EEmptySealedPayload", 417, "a sealed payload must not be empty"),
  entry(
    "requests",
    "EPayloadNotSealed",
    418,
    "the cluster requires sealed payloads: seal it to the enclave's encryption key",
  ),
  entry("workers", "EInvalidNodeId", 500, "node id is not a DNS-1123 label"),
  entry("workers", "EWorkerExists", 501, "a worker with this node id is registered"),
  entry("workers", "EStakeTooLow", 502, "stake is below the cluster's minimum"),
  entry("workers", "EWorkerNotFound", 503, "no worker with this node id"),
  entry("workers", "EWrongWorkerCap", 504, "the WorkerCap belongs to another cluster"),
  entry("workers", "EWorkerNotPending", 505, "only a pending worker can be activated or refused"),
  entry("workers", "EWorkerNotLive", 506, "the worker is unbonding, slashed or refused"),
  entry(
    "workers",
    "EWorkerNotUnbonding",
    507,
    "the worker has neither deregistered nor been refused",
  ),
  entry("workers", "EUnbondingNotOver", 508, "the unbonding period has not passed"),
  entry("workers", "EWorkerSlashed", 509, "the worker was slashed"),
  entry("workers", "EInvalidEncryptionKey", 510, "worker encryption key must be 32 bytes"),
  entry("workers", "EInvalidCredential", 511, "join credential must be 1..=4096 bytes"),
  entry("workers", "EReasonTooLong", 512, "slash or refusal reason exceeds 256 bytes"),
  entry("state", "ESummaryTooLong", 600, "usage summary exceeds 1024 bytes"),
  entry("state", "EInconsistentCounts", 601, "ready/running counts exceed totals"),
  entry("billing", "EInvalidShare", 700, "treasury share exceeds 10000 basis points"),
  entry("billing", "EPeriodOutOfOrder", 701, "the billing period is not the next one"),
  entry(
    "billing",
    "EPeriodNotContiguous",
    702,
    "the billing period does not start where the last one ended",
  ),
  entry("billing", "EInvalidPeriod", 703, "billing period empty, reversed or in the future"),
  entry("billing", "EUsageLengthMismatch", 704, "usage must hold three values per entry"),
  entry("billing", "EInsufficientEscrow", 705, "the escrow holds less than requested"),
  entry("billing", "EWrongWorkerCap", 706, "the WorkerCap belongs to another cluster"),
  entry("billing", "ENothingToClaim", 707, "the worker has no earnings to claim"),
];

const byModuleAndCode = new Map(ABORT_CODES.map((info) => [`${info.module}:${info.code}`, info]));
const byModuleAndName = new Map(ABORT_CODES.map((info) => [`${info.module}:${info.name}`, info]));

/** The table entry for an abort raised in `module` with `code`, if any. */
export function abortCodeInfo(module: string, code: number): AbortCodeInfo | undefined {
  return byModuleAndCode.get(`${module}:${code}`);
}

/** The table entry of a named constant; throws on a name the package does not define. */
export function abortCode(module: MoveModule, name: string): AbortCodeInfo {
  const info = byModuleAndName.get(`${module}:${name}`);
  if (!info) throw new Error(`k8s_daas has no abort constant ${module}::${name}`);
  return info;
}

/** The constant name of an abort raised by this package (for `Submitter`'s `abortNames`). */
export function abortConstantName(abort: {
  readonly module: string | undefined;
  readonly abortCode: bigint;
}): string | undefined {
  return abort.module ? abortCodeInfo(abort.module, Number(abort.abortCode))?.name : undefined;
}
