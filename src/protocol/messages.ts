// The messages the enclave signs (move/sources/messages.move): BCS(IntentMessage {
// intent: u8, timestamp_ms: u64, payload }), one intent value per payload kind.

import type { BcsType } from "@mysten/bcs";
import { bcs } from "@mysten/sui/bcs";
import { INTENT, type IntentKind } from "./constants.ts";

const ID = bcs.Address;

/** Fields of `RequestResultPayload`, in BCS order. */
export const RequestResultPayloadFields = {
  cluster_id: ID,
  sequence: bcs.u64(),
  request_id: bcs.u64(),
  status_code: bcs.u16(),
  output_sha256: bcs.byteVector(),
  summary: bcs.string(),
};
export const RequestResultPayload = bcs.struct("RequestResultPayload", RequestResultPayloadFields);

/** Fields of `WorkerActivationPayload`, in BCS order. */
export const WorkerActivationPayloadFields = {
  cluster_id: ID,
  sequence: bcs.u64(),
  node_id: bcs.string(),
  encrypted_join_credential: bcs.byteVector(),
};
export const WorkerActivationPayload = bcs.struct(
  "WorkerActivationPayload",
  WorkerActivationPayloadFields,
);

/** Fields of `SlashVerdictPayload`, in BCS order. */
export const SlashVerdictPayloadFields = {
  cluster_id: ID,
  sequence: bcs.u64(),
  node_id: bcs.string(),
  reason: bcs.string(),
};
export const SlashVerdictPayload = bcs.struct("SlashVerdictPayload", SlashVerdictPayloadFields);

/** Fields of `ClusterStatePayload`, in BCS order. */
export const ClusterStatePayloadFields = {
  cluster_id: ID,
  sequence: bcs.u64(),
  node_count: bcs.u64(),
  ready_node_count: bcs.u64(),
  pod_count: bcs.u64(),
  running_pod_count: bcs.u64(),
  usage_summary: bcs.string(),
};
export const ClusterStatePayload = bcs.struct("ClusterStatePayload", ClusterStatePayloadFields);

/** Fields of `KeyRotationPayload`, in BCS order. */
export const KeyRotationPayloadFields = {
  cluster_id: ID,
  sequence: bcs.u64(),
  new_public_key: bcs.byteVector(),
  new_encryption_key: bcs.byteVector(),
  new_tls_key_sha256: bcs.byteVector(),
};
export const KeyRotationPayload = bcs.struct("KeyRotationPayload", KeyRotationPayloadFields);

/**
 * Fields of `EnclavePublicKeys`, in BCS order: the one layout of the keys an enclave
 * publishes (signing key, X25519 encryption key, SHA-256 of its TLS key's SPKI). A Nitro
 * attestation's `user_data` is its BCS; a rotation payload ends with the same three values.
 */
export const EnclavePublicKeysFields = {
  public_key: bcs.byteVector(),
  encryption_key: bcs.byteVector(),
  tls_key_sha256: bcs.byteVector(),
};
export const EnclavePublicKeys = bcs.struct("EnclavePublicKeys", EnclavePublicKeysFields);
export type EnclavePublicKeysInput = Parameters<typeof EnclavePublicKeys.serialize>[0];

/** Fields of `WorkerRefusalPayload`, in BCS order (the same as a slash verdict's: only the intent tells them apart). */
export const WorkerRefusalPayloadFields = {
  cluster_id: ID,
  sequence: bcs.u64(),
  node_id: bcs.string(),
  reason: bcs.string(),
};
export const WorkerRefusalPayload = bcs.struct("WorkerRefusalPayload", WorkerRefusalPayloadFields);

/**
 * Fields of `UsageReportPayload`, in BCS order. `namespace_usage` and `node_usage` hold
 * three values per entry of `namespaces` / `node_ids`: CPU milli-core-ms, memory byte-ms,
 * storage byte-ms.
 */
export const UsageReportPayloadFields = {
  cluster_id: ID,
  sequence: bcs.u64(),
  period: bcs.u64(),
  period_start_ms: bcs.u64(),
  period_end_ms: bcs.u64(),
  namespaces: bcs.vector(bcs.string()),
  namespace_usage: bcs.vector(bcs.u128()),
  node_ids: bcs.vector(bcs.string()),
  node_usage: bcs.vector(bcs.u128()),
};
export const UsageReportPayload = bcs.struct("UsageReportPayload", UsageReportPayloadFields);

/** Field layouts by Move struct name (used to check the layouts against move/sources). */
export const PAYLOAD_FIELDS = {
  RequestResultPayload: RequestResultPayloadFields,
  WorkerActivationPayload: WorkerActivationPayloadFields,
  SlashVerdictPayload: SlashVerdictPayloadFields,
  ClusterStatePayload: ClusterStatePayloadFields,
  KeyRotationPayload: KeyRotationPayloadFields,
  WorkerRefusalPayload: WorkerRefusalPayloadFields,
  UsageReportPayload: UsageReportPayloadFields,
  EnclavePublicKeys: EnclavePublicKeysFields,
} as const;

/** Payload schema of each intent. */
export const PAYLOAD_SCHEMAS = {
  requestResult: RequestResultPayload,
  workerActivation: WorkerActivationPayload,
  slashVerdict: SlashVerdictPayload,
  clusterState: ClusterStatePayload,
  keyRotation: KeyRotationPayload,
  workerRefusal: WorkerRefusalPayload,
  usageReport: UsageReportPayload,
} as const;

/** `IntentMessage<T>` for a given payload schema. */
export function IntentMessage<T, Input>(payload: BcsType<T, Input>) {
  return bcs.struct(`IntentMessage<${payload.name}>`, {
    intent: bcs.u8(),
    timestamp_ms: bcs.u64(),
    payload,
  });
}

export type PayloadInput<K extends IntentKind> = Parameters<
  (typeof PAYLOAD_SCHEMAS)[K]["serialize"]
>[0];

/** The exact bytes the enclave signs for a `kind` message (what `messages::signing_bytes` builds). */
export function signingBytes<K extends IntentKind>(
  kind: K,
  timestampMs: bigint | number,
  payload: PayloadInput<K>,
): Uint8Array {
  const schema = PAYLOAD_SCHEMAS[kind] as unknown as BcsType<unknown, PayloadInput<K>>;
  return IntentMessage(schema)
    .serialize({ intent: INTENT[kind], timestamp_ms: timestampMs, payload })
    .toBytes();
}
