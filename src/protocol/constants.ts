// Values the Move package fixes: request methods and priorities, status and action codes,
// limits and configuration defaults. Each mirrors a constant in move/sources (named in the
// comment) and must change with it.

/** Package and module names as published. */
export const MOVE_PACKAGE_NAME = "k8s_daas";
export const MOVE_MODULES = [
  "cluster",
  "enclave",
  "events",
  "messages",
  "names",
  "requests",
  "state",
  "tenancy",
  "workers",
  "billing",
] as const;
export type MoveModule = (typeof MOVE_MODULES)[number];

/** Methods `requests::submit` accepts. */
export const REQUEST_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type RequestMethod = (typeof REQUEST_METHODS)[number];
/** Methods that change cluster state and therefore need the namespace capability. */
export const WRITE_METHODS: readonly RequestMethod[] = ["POST", "PUT", "PATCH", "DELETE"];

/** Priorities are 0 (lowest) ..= 9 (highest) — `requests::MAX_PRIORITY`. */
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;

/** `requests::STATUS_*`. */
export const REQUEST_STATUS = { pending: 0, completed: 1, cancelled: 2 } as const;

/**
 * `requests::EXPIRED_STATUS_CODE`: the result status code with which the enclave declares a
 * request "expired, never executed" (HTTP 408 Request Timeout). `requests::complete` with
 * this code refunds the escrowed fee to the requester instead of moving it to the treasury
 * (the `K8sAPIResultEvent` is emitted all the same); every other code pays the treasury.
 * The control plane never starts a request older than half the cluster's
 * `request_timeout_ms` and answers those with this code.
 */
export const EXPIRED_STATUS_CODE = 408;

/** `workers::STATUS_*`. */
export const WORKER_STATUS = {
  pending: 0,
  active: 1,
  unbonding: 2,
  slashed: 3,
  /** The enclave refused to activate it (`refuse_worker`); its stake can be withdrawn at once. */
  refused: 4,
} as const;

/** `WorkerNodeEvent.action` — `workers::ACTION_*`. */
export const WORKER_ACTION = {
  registered: 0,
  heartbeat: 1,
  activated: 2,
  deregistered: 3,
  withdrawn: 4,
  slashed: 5,
  /** `refuse_worker`; the event's `data` is the reason (UTF-8). */
  refused: 6,
} as const;

/** `NamespaceEvent.action` — `events::NAMESPACE_*`. */
export const NAMESPACE_ACTION = { claimed: 0, transferred: 1, released: 2 } as const;

/** `EnclaveRegisteredEvent.kind` — `enclave::KIND_*`. */
export const ENCLAVE_KEY_KIND = { nitro: 0, dev: 1, rotation: 2 } as const;

/**
 * `Cluster.enclave_key_kind` (`cluster::enclave_key_kind`): what the installed key is. A
 * rotation keeps the kind of the key it replaces; `disable_dev_enclave` removes a dev key
 * (the kind stays, so a rotation signed by the removed key aborts `EDevEnclaveDisabled`).
 */
export const INSTALLED_ENCLAVE_KEY_KIND = { nitro: 0, dev: 1 } as const;

/** One intent value per signed message kind — `messages::INTENT_*`. */
export const INTENT = {
  requestResult: 0,
  workerActivation: 1,
  slashVerdict: 2,
  clusterState: 3,
  keyRotation: 4,
  workerRefusal: 5,
  usageReport: 6,
} as const;
export type IntentKind = keyof typeof INTENT;

/** `EscrowEvent.action` — `billing::ESCROW_*`. */
export const ESCROW_ACTION = {
  deposited: 0,
  withdrawn: 1,
  charged: 2,
  suspended: 3,
  resumed: 4,
} as const;

/** `WorkerEarningsEvent.action` — `billing::EARNINGS_*`. */
export const EARNINGS_ACTION = { credited: 0, claimed: 1 } as const;

/** Size limits enforced on chain. */
export const LIMITS = {
  /** `cluster::MAX_PAYLOAD_BYTES_LIMIT`: a Sui pure argument is at most 16 KiB. */
  maxPayloadBytes: 16_384,
  /** `cluster::MAX_CLUSTER_NAME_BYTES`. */
  maxClusterNameBytes: 63,
  /** `requests::MAX_SUMMARY_BYTES`. */
  maxResultSummaryBytes: 256,
  /** `requests::MAX_REPLICAS`. */
  maxReplicas: 100,
  /** `requests::SHA256_BYTES`. */
  outputDigestBytes: 32,
  /** `state::MAX_SUMMARY_BYTES`. */
  maxUsageSummaryBytes: 1024,
  /** `workers::ENCRYPTION_KEY_BYTES` (x25519). */
  workerEncryptionKeyBytes: 32,
  /** `workers::MAX_CREDENTIAL_BYTES`. */
  maxJoinCredentialBytes: 4096,
  /** `workers::MAX_REASON_BYTES`: a slash or refusal reason. */
  maxWorkerReasonBytes: 256,
  /** `enclave::PUBLIC_KEY_BYTES` (ed25519). */
  enclavePublicKeyBytes: 32,
  /** `enclave::ENCRYPTION_KEY_BYTES` (x25519). */
  enclaveEncryptionKeyBytes: 32,
  /** SHA-256 of the enclave's TLS key (DER SubjectPublicKeyInfo). */
  enclaveTlsKeyHashBytes: 32,
  /** `enclave::PCR_BYTES` (SHA-384). */
  pcrBytes: 48,
  /** `names::MAX_LABEL_BYTES`. */
  maxDnsLabelBytes: 63,
  /** `names::MAX_SUBDOMAIN_BYTES`. */
  maxDnsSubdomainBytes: 253,
  /** `names::MAX_RESOURCE_BYTES`. */
  maxResourceBytes: 128,
  /** `names::MAX_IMAGE_BYTES`. */
  maxImageBytes: 255,
} as const;

/** Configuration of a freshly created cluster — `cluster::DEFAULT_*`. */
export const DEFAULT_CONFIG = {
  requestFeeMist: 1_000_000n,
  minWorkerStakeMist: 1_000_000_000n,
  heartbeatPeriodMs: 30_000n,
  unbondingPeriodMs: 86_400_000n,
  maxPayloadBytes: 16_384n,
  signatureWindowMs: 300_000n,
  requestTimeoutMs: 3_600_000n,
  requireSealed: false,
} as const;

/** Namespaces no tenant may claim (`tenancy::is_reserved`): `default` and `kube-*`. */
export function isReservedNamespace(name: string): boolean {
  return name === "default" || name.startsWith("kube-");
}
