// Argument lists of every public function of the package, in order, as the chain sees
// them. Pure arguments carry their BCS schema; object arguments name the Move type and how
// it is passed. `&mut TxContext` is implicit and never listed.

import type { BcsType } from "@mysten/bcs";
import { bcs } from "@mysten/sui/bcs";
import type { MoveModule } from "./constants.ts";

// biome-ignore lint/suspicious/noExplicitAny: schemas of mixed value types share one list
type AnyBcs = BcsType<any, any>;

export type ObjectType = "Cluster" | "AdminCap" | "NamespaceCap" | "WorkerCap";

export type Param =
  | { readonly name: string; readonly kind: "pure"; readonly bcs: AnyBcs }
  /** `ref`: `&T`, `mut`: `&mut T`, `value`: `T` (consumed). The Cluster is always shared. */
  | {
      readonly name: string;
      readonly kind: "object";
      readonly type: ObjectType;
      readonly pass: "ref" | "mut" | "value";
    }
  /** A `Coin<SUI>` passed by value (split it from gas). */
  | { readonly name: string; readonly kind: "coin" }
  /** The shared `0x6` Clock, by reference. */
  | { readonly name: string; readonly kind: "clock" }
  /** `0x2::nitro_attestation::NitroAttestationDocument`, the result of `load_nitro_attestation`. */
  | { readonly name: string; readonly kind: "attestation" };

export interface CallDescriptor {
  readonly module: MoveModule;
  readonly function: string;
  /** Declared `entry` (the seed's entry points); all functions here are also `public`. */
  readonly entry: boolean;
  readonly params: readonly Param[];
}

const pure = (name: string, schema: AnyBcs): Param => ({ name, kind: "pure", bcs: schema });
const cluster: Param = { name: "cluster", kind: "object", type: "Cluster", pass: "mut" };
const adminCap: Param = { name: "cap", kind: "object", type: "AdminCap", pass: "ref" };
const namespaceCap: Param = { name: "cap", kind: "object", type: "NamespaceCap", pass: "ref" };
const workerCapRef: Param = { name: "cap", kind: "object", type: "WorkerCap", pass: "ref" };
const clock: Param = { name: "clock", kind: "clock" };
const fee: Param = { name: "fee", kind: "coin" };
const str = bcs.string();
const bytes = bcs.byteVector();
const signed = [
  pure("timestamp_ms", bcs.u64()),
  pure("sequence", bcs.u64()),
  pure("signature", bytes),
  clock,
];

const call = (
  module: MoveModule,
  fn: string,
  params: readonly Param[],
  entry = false,
): CallDescriptor => ({ module, function: fn, entry, params });

/** `submit` and `submit_sealed`: a request into the cap's namespace, `payload` as bytes. */
const capSubmission = (payload: string): Param[] => [
  cluster,
  namespaceCap,
  pure("method", str),
  pure("resource", str),
  pure("namespace", str),
  pure("name", str),
  pure(payload, bytes),
  pure("priority", bcs.u8()),
  fee,
  clock,
];

const adminSetter = (fn: string, arg: string) =>
  call("cluster", fn, [cluster, adminCap, pure(arg, bcs.u64())]);

export const CALLS = {
  create_cluster: call("cluster", "create_cluster", [pure("name", str)]),
  set_request_fee: adminSetter("set_request_fee", "fee_mist"),
  set_min_worker_stake: adminSetter("set_min_worker_stake", "stake_mist"),
  set_heartbeat_period: adminSetter("set_heartbeat_period", "period_ms"),
  set_unbonding_period: adminSetter("set_unbonding_period", "period_ms"),
  set_max_payload_bytes: adminSetter("set_max_payload_bytes", "max_bytes"),
  set_signature_window: adminSetter("set_signature_window", "window_ms"),
  set_request_timeout: adminSetter("set_request_timeout", "timeout_ms"),
  set_require_sealed: call("cluster", "set_require_sealed", [
    cluster,
    adminCap,
    pure("required", bcs.bool()),
  ]),
  pause: call("cluster", "pause", [cluster, adminCap]),
  unpause: call("cluster", "unpause", [cluster, adminCap]),
  withdraw_treasury: call("cluster", "withdraw_treasury", [
    cluster,
    adminCap,
    pure("amount", bcs.u64()),
    pure("recipient", bcs.Address),
  ]),
  set_enclave_pcrs: call("enclave", "set_enclave_pcrs", [
    cluster,
    adminCap,
    pure("pcr0", bytes),
    pure("pcr1", bytes),
    pure("pcr2", bytes),
  ]),
  register_enclave: call("enclave", "register_enclave", [
    cluster,
    adminCap,
    { name: "document", kind: "attestation" },
  ]),
  register_dev_enclave: call("enclave", "register_dev_enclave", [
    cluster,
    adminCap,
    pure("public_key", bytes),
    pure("encryption_key", bytes),
    pure("tls_key_sha256", bytes),
  ]),
  disable_dev_enclave: call("enclave", "disable_dev_enclave", [cluster, adminCap]),
  rotate_enclave_key: call("enclave", "rotate_enclave_key", [
    cluster,
    pure("new_public_key", bytes),
    pure("new_encryption_key", bytes),
    pure("new_tls_key_sha256", bytes),
    ...signed,
  ]),
  claim_namespace: call("tenancy", "claim_namespace", [cluster, pure("namespace", str)]),
  transfer_namespace: call("tenancy", "transfer_namespace", [
    cluster,
    { name: "cap", kind: "object", type: "NamespaceCap", pass: "value" },
    pure("recipient", bcs.Address),
  ]),
  release_namespace: call("tenancy", "release_namespace", [
    cluster,
    { name: "cap", kind: "object", type: "NamespaceCap", pass: "value" },
  ]),
  submit: call("requests", "submit", capSubmission("payload")),
  submit_sealed: call("requests", "submit_sealed", capSubmission("sealed_payload")),
  submit_get: call("requests", "submit_get", [
    cluster,
    pure("resource", str),
    pure("namespace", str),
    pure("name", str),
    pure("priority", bcs.u8()),
    fee,
    clock,
  ]),
  execute_k8s_api: call(
    "requests",
    "execute_k8s_api",
    [
      cluster,
      namespaceCap,
      pure("method", str),
      pure("resource", str),
      pure("namespace", str),
      pure("name", str),
      pure("payload", str),
      pure("priority", bcs.u8()),
      fee,
      clock,
    ],
    true,
  ),
  create_pod: call(
    "requests",
    "create_pod",
    [
      cluster,
      namespaceCap,
      pure("pod_name", str),
      pure("namespace", str),
      pure("image", str),
      pure("priority", bcs.u8()),
      fee,
      clock,
    ],
    true,
  ),
  deploy_pods_batch: call(
    "requests",
    "deploy_pods_batch",
    [
      cluster,
      namespaceCap,
      pure("deployment_name", str),
      pure("namespace", str),
      pure("image", str),
      pure("replicas", bcs.u32()),
      pure("priority", bcs.u8()),
      fee,
      clock,
    ],
    true,
  ),
  cancel: call("requests", "cancel", [cluster, pure("request_id", bcs.u64()), clock]),
  complete: call("requests", "complete", [
    cluster,
    pure("request_id", bcs.u64()),
    pure("status_code", bcs.u16()),
    pure("output_sha256", bytes),
    pure("summary", str),
    ...signed,
  ]),
  register_worker_node: call(
    "workers",
    "register_worker_node",
    [
      cluster,
      pure("node_id", str),
      pure("encryption_key", bytes),
      { name: "stake", kind: "coin" },
      clock,
    ],
    true,
  ),
  worker_heartbeat: call("workers", "worker_heartbeat", [cluster, workerCapRef, clock], true),
  activate_worker: call("workers", "activate_worker", [
    cluster,
    pure("node_id", str),
    pure("encrypted_join_credential", bytes),
    ...signed,
  ]),
  refuse_worker: call("workers", "refuse_worker", [
    cluster,
    pure("node_id", str),
    pure("reason", str),
    ...signed,
  ]),
  deregister_worker: call("workers", "deregister_worker", [cluster, workerCapRef, clock]),
  withdraw_stake: call("workers", "withdraw_stake", [
    cluster,
    { name: "cap", kind: "object", type: "WorkerCap", pass: "value" },
    clock,
  ]),
  slash_worker: call("workers", "slash_worker", [
    cluster,
    pure("node_id", str),
    pure("reason", str),
    ...signed,
  ]),
  report_cluster_state: call("state", "report_cluster_state", [
    cluster,
    pure("node_count", bcs.u64()),
    pure("ready_node_count", bcs.u64()),
    pure("pod_count", bcs.u64()),
    pure("running_pod_count", bcs.u64()),
    pure("usage_summary", str),
    ...signed,
  ]),
  set_prices: call("billing", "set_prices", [
    cluster,
    adminCap,
    pure("cpu_core_hour_mist", bcs.u64()),
    pure("memory_gib_hour_mist", bcs.u64()),
    pure("storage_gib_hour_mist", bcs.u64()),
    pure("treasury_share_bps", bcs.u64()),
  ]),
  deposit: call("billing", "deposit", [cluster, namespaceCap, { name: "payment", kind: "coin" }]),
  withdraw: call("billing", "withdraw", [cluster, namespaceCap, pure("amount", bcs.u64())]),
  report_usage: call("billing", "report_usage", [
    cluster,
    pure("period", bcs.u64()),
    pure("period_start_ms", bcs.u64()),
    pure("period_end_ms", bcs.u64()),
    pure("namespaces", bcs.vector(str)),
    pure("namespace_usage", bcs.vector(bcs.u128())),
    pure("node_ids", bcs.vector(str)),
    pure("node_usage", bcs.vector(bcs.u128())),
    ...signed,
  ]),
  claim_earnings: call("billing", "claim_earnings", [cluster, workerCapRef]),
} as const satisfies Record<string, CallDescriptor>;
export type CallName = keyof typeof CALLS;

/** `<package>::<module>::<function>` for a `Transaction.moveCall` target. */
export function callTarget(packageId: string, name: CallName): string {
  const descriptor: CallDescriptor = CALLS[name];
  return `${packageId}::${descriptor.module}::${descriptor.function}`;
}

/** The pure parameters of a call, in order. */
export function pureParams(name: CallName): { name: string; bcs: AnyBcs }[] {
  const descriptor: CallDescriptor = CALLS[name];
  return descriptor.params.flatMap((p) =>
    p.kind === "pure" ? [{ name: p.name, bcs: p.bcs }] : [],
  );
}

/** Thrown when pure arguments do not match a call's parameter list. */
export class CallArgumentError extends Error {
  readonly code = "CALL_ARGUMENTS";
  constructor(message: string) {
    super(message);
    this.name = "CallArgumentError";
  }
}

/** BCS-encodes the pure arguments of `name`, one byte string per pure parameter, in order. */
export function encodePureArgs(name: CallName, values: Record<string, unknown>): Uint8Array[] {
  return pureParams(name).map((param) => {
    if (!(param.name in values)) throw new CallArgumentError(`${name}: missing ${param.name}`);
    return param.bcs.serialize(values[param.name]).toBytes();
  });
}

/** Decodes the pure arguments of `name` (as produced by `encodePureArgs`). */
export function decodePureArgs(
  name: CallName,
  args: readonly Uint8Array[],
): Record<string, unknown> {
  const params = pureParams(name);
  if (params.length !== args.length) {
    throw new CallArgumentError(
      `${name}: expected ${params.length} pure arguments, got ${args.length}`,
    );
  }
  return Object.fromEntries(
    params.map((param, i) => [param.name, param.bcs.parse(args[i] as Uint8Array)]),
  );
}
