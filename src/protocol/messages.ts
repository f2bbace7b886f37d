// The messages the enclave signs (move/sources/messages.move): BCS(IntentMessage {
// intent: u8, timestamp_ms: u64, payload }), one intent value per payload kind.

import type { BcsType } from "@mysten/bcs";
import { bcs } from "@mysten/sui/bcs";
import { INTENT, type IntentKind } from "./constants.ts";

const ID = bcs.Address;

export const RequestResultPayload = bcs.struct("RequestResultPayload", {
  cluster_id: ID,
  sequence: bcs.u64(),
  request_id: bcs.u64(),
  status_code: bcs.u16(),
  output_sha256: bcs.byteVector(),
  summary: bcs.string(),
});

export const WorkerActivationPayload = bcs.struct("WorkerActivationPayload", {
  cluster_id: ID,
  sequence: bcs.u64(),
  node_id: bcs.string(),
  encrypted_join_credential: bcs.byteVector(),
});

export const SlashVerdictPayload = bcs.struct("SlashVerdictPayload", {
  cluster_id: ID,
  sequence: bcs.u64(),
  node_id: bcs.string(),
  reason: bcs.string(),
});

export const ClusterStatePayload = bcs.struct("ClusterStatePayload", {
  cluster_id: ID,
  sequence: bcs.u64(),
  node_count: bcs.u64(),
  ready_node_count: bcs.u64(),
  pod_count: bcs.u64(),
  running_pod_count: bcs.u64(),
  usage_summary: bcs.string(),
});

export const KeyRotationPayload = bcs.struct("KeyRotationPayload", {
  cluster_id: ID,
  sequence: bcs.u64(),
  new_public_key: bcs.byteVector(),
});

/** Payload schema of each intent. */
export const PAYLOAD_SCHEMAS = {
  requestResult: RequestResultPayload,
  workerActivation: WorkerActivationPayload,
  slashVerdict: SlashVerdictPayload,
  clusterState: ClusterStatePayload,
  keyRotation: KeyRotationPayload,
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
