// BCS layouts of every event in move/sources/events.move, field for field and in order.
// `ID` and `address` are both 32 bytes on the wire; `bcs.Address` decodes them to
// normalized 0x-hex strings.
import { bcs } from "@mysten/sui/bcs";

const ID = bcs.Address;

export const ClusterCreatedEvent = bcs.struct("ClusterCreatedEvent", {
  cluster_id: ID,
  name: bcs.string(),
  admin: bcs.Address,
});

export const ClusterConfigEvent = bcs.struct("ClusterConfigEvent", {
  cluster_id: ID,
  request_fee_mist: bcs.u64(),
  min_worker_stake_mist: bcs.u64(),
  heartbeat_period_ms: bcs.u64(),
  unbonding_period_ms: bcs.u64(),
  max_payload_bytes: bcs.u64(),
  signature_window_ms: bcs.u64(),
  paused: bcs.bool(),
});

export const TreasuryWithdrawnEvent = bcs.struct("TreasuryWithdrawnEvent", {
  cluster_id: ID,
  amount: bcs.u64(),
  recipient: bcs.Address,
});

export const EnclaveConfigEvent = bcs.struct("EnclaveConfigEvent", {
  cluster_id: ID,
  pcrs: bcs.vector(bcs.byteVector()),
  allow_dev_enclave: bcs.bool(),
});

export const EnclaveRegisteredEvent = bcs.struct("EnclaveRegisteredEvent", {
  cluster_id: ID,
  public_key: bcs.byteVector(),
  kind: bcs.u8(),
});

export const NamespaceEvent = bcs.struct("NamespaceEvent", {
  cluster_id: ID,
  namespace: bcs.string(),
  cap_id: ID,
  owner: bcs.Address,
  action: bcs.u8(),
});

export const K8sAPIRequestEvent = bcs.struct("K8sAPIRequestEvent", {
  cluster_id: ID,
  request_id: bcs.u64(),
  method: bcs.string(),
  resource: bcs.string(),
  namespace: bcs.string(),
  name: bcs.string(),
  payload: bcs.byteVector(),
  priority: bcs.u8(),
  requester: bcs.Address,
  fee_mist: bcs.u64(),
  timestamp_ms: bcs.u64(),
});

export const K8sAPIRequestCancelledEvent = bcs.struct("K8sAPIRequestCancelledEvent", {
  cluster_id: ID,
  request_id: bcs.u64(),
  requester: bcs.Address,
  refund_mist: bcs.u64(),
});

export const K8sAPIResultEvent = bcs.struct("K8sAPIResultEvent", {
  cluster_id: ID,
  request_id: bcs.u64(),
  status_code: bcs.u16(),
  output_sha256: bcs.byteVector(),
  summary: bcs.string(),
  requester: bcs.Address,
  sequence: bcs.u64(),
  timestamp_ms: bcs.u64(),
});

export const WorkerNodeEvent = bcs.struct("WorkerNodeEvent", {
  cluster_id: ID,
  node_id: bcs.string(),
  owner: bcs.Address,
  action: bcs.u8(),
  stake_mist: bcs.u64(),
  timestamp_ms: bcs.u64(),
  data: bcs.byteVector(),
});

export const ClusterStateEvent = bcs.struct("ClusterStateEvent", {
  cluster_id: ID,
  node_count: bcs.u64(),
  ready_node_count: bcs.u64(),
  pod_count: bcs.u64(),
  running_pod_count: bcs.u64(),
  usage_summary: bcs.string(),
  sequence: bcs.u64(),
  timestamp_ms: bcs.u64(),
});

/** Event schemas by their Move struct name (the last segment of the event's type tag). */
export const EVENT_SCHEMAS = {
  ClusterCreatedEvent,
  ClusterConfigEvent,
  TreasuryWithdrawnEvent,
  EnclaveConfigEvent,
  EnclaveRegisteredEvent,
  NamespaceEvent,
  K8sAPIRequestEvent,
  K8sAPIRequestCancelledEvent,
  K8sAPIResultEvent,
  WorkerNodeEvent,
  ClusterStateEvent,
} as const;
export type EventName = keyof typeof EVENT_SCHEMAS;

/** Full Move type of an event: `<package>::events::<name>`. */
export function eventType(packageId: string, name: EventName): string {
  return `${packageId}::events::${name}`;
}

/** Thrown when an event's type is not one of the package's events. */
export class UnknownEventError extends Error {
  readonly code = "UNKNOWN_EVENT";
  constructor(type: string) {
    super(`not a k8s_daas event: ${type}`);
    this.name = "UnknownEventError";
  }
}

/** Decodes the BCS contents of an event whose Move type is `type` (`0x…::events::Name`). */
export function decodeEvent(type: string, contents: Uint8Array) {
  const [, module, name] = type.split("::");
  if (module !== "events" || name === undefined || !(name in EVENT_SCHEMAS)) {
    throw new UnknownEventError(type);
  }
  const eventName = name as EventName;
  return { name: eventName, value: EVENT_SCHEMAS[eventName].parse(contents) };
}
