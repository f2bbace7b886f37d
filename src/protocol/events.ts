// BCS layouts of every event in move/sources/events.move, field for field and in order.
// `ID` and `address` are both 32 bytes on the wire; `bcs.Address` decodes them to
// normalized 0x-hex strings.
import { bcs } from "@mysten/sui/bcs";

const ID = bcs.Address;

/** Fields of `ClusterCreatedEvent`, in BCS order. */
export const ClusterCreatedEventFields = {
  cluster_id: ID,
  name: bcs.string(),
  admin: bcs.Address,
};
export const ClusterCreatedEvent = bcs.struct("ClusterCreatedEvent", ClusterCreatedEventFields);

/** Fields of `ClusterConfigEvent`, in BCS order. */
export const ClusterConfigEventFields = {
  cluster_id: ID,
  request_fee_mist: bcs.u64(),
  min_worker_stake_mist: bcs.u64(),
  heartbeat_period_ms: bcs.u64(),
  unbonding_period_ms: bcs.u64(),
  max_payload_bytes: bcs.u64(),
  signature_window_ms: bcs.u64(),
  paused: bcs.bool(),
  request_timeout_ms: bcs.u64(),
  require_sealed: bcs.bool(),
};
export const ClusterConfigEvent = bcs.struct("ClusterConfigEvent", ClusterConfigEventFields);

/** Fields of `TreasuryWithdrawnEvent`, in BCS order. */
export const TreasuryWithdrawnEventFields = {
  cluster_id: ID,
  amount: bcs.u64(),
  recipient: bcs.Address,
};
export const TreasuryWithdrawnEvent = bcs.struct(
  "TreasuryWithdrawnEvent",
  TreasuryWithdrawnEventFields,
);

/** Fields of `EnclaveConfigEvent`, in BCS order. */
export const EnclaveConfigEventFields = {
  cluster_id: ID,
  pcrs: bcs.vector(bcs.byteVector()),
  allow_dev_enclave: bcs.bool(),
};
export const EnclaveConfigEvent = bcs.struct("EnclaveConfigEvent", EnclaveConfigEventFields);

/** Fields of `EnclaveRegisteredEvent`, in BCS order. */
export const EnclaveRegisteredEventFields = {
  cluster_id: ID,
  public_key: bcs.byteVector(),
  kind: bcs.u8(),
  /** The X25519 key published with the signing key: payloads are sealed to it from now on. */
  encryption_key: bcs.byteVector(),
  /** SHA-256 of its TLS key's SPKI: clients pin the control plane to it from now on. */
  tls_key_sha256: bcs.byteVector(),
};
export const EnclaveRegisteredEvent = bcs.struct(
  "EnclaveRegisteredEvent",
  EnclaveRegisteredEventFields,
);

/** Fields of `EnclaveKeyRemovedEvent`, in BCS order. */
export const EnclaveKeyRemovedEventFields = {
  cluster_id: ID,
  public_key: bcs.byteVector(),
  kind: bcs.u8(),
};
export const EnclaveKeyRemovedEvent = bcs.struct(
  "EnclaveKeyRemovedEvent",
  EnclaveKeyRemovedEventFields,
);

/** Fields of `NamespaceEvent`, in BCS order. */
export const NamespaceEventFields = {
  cluster_id: ID,
  namespace: bcs.string(),
  cap_id: ID,
  owner: bcs.Address,
  action: bcs.u8(),
};
export const NamespaceEvent = bcs.struct("NamespaceEvent", NamespaceEventFields);

/** Fields of `K8sAPIRequestEvent`, in BCS order. */
export const K8sAPIRequestEventFields = {
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
  /** `payload` is sealed to the enclave's encryption key (`requests::submit_sealed`). */
  sealed: bcs.bool(),
};
export const K8sAPIRequestEvent = bcs.struct("K8sAPIRequestEvent", K8sAPIRequestEventFields);

/** Fields of `K8sAPIRequestCancelledEvent`, in BCS order. */
export const K8sAPIRequestCancelledEventFields = {
  cluster_id: ID,
  request_id: bcs.u64(),
  requester: bcs.Address,
  refund_mist: bcs.u64(),
};
export const K8sAPIRequestCancelledEvent = bcs.struct(
  "K8sAPIRequestCancelledEvent",
  K8sAPIRequestCancelledEventFields,
);

/** Fields of `K8sAPIResultEvent`, in BCS order. */
export const K8sAPIResultEventFields = {
  cluster_id: ID,
  request_id: bcs.u64(),
  status_code: bcs.u16(),
  output_sha256: bcs.byteVector(),
  summary: bcs.string(),
  requester: bcs.Address,
  sequence: bcs.u64(),
  timestamp_ms: bcs.u64(),
};
export const K8sAPIResultEvent = bcs.struct("K8sAPIResultEvent", K8sAPIResultEventFields);

/** Fields of `WorkerNodeEvent`, in BCS order. */
export const WorkerNodeEventFields = {
  cluster_id: ID,
  node_id: bcs.string(),
  owner: bcs.Address,
  action: bcs.u8(),
  stake_mist: bcs.u64(),
  timestamp_ms: bcs.u64(),
  data: bcs.byteVector(),
};
export const WorkerNodeEvent = bcs.struct("WorkerNodeEvent", WorkerNodeEventFields);

/** Fields of `ClusterStateEvent`, in BCS order. */
export const ClusterStateEventFields = {
  cluster_id: ID,
  node_count: bcs.u64(),
  ready_node_count: bcs.u64(),
  pod_count: bcs.u64(),
  running_pod_count: bcs.u64(),
  usage_summary: bcs.string(),
  sequence: bcs.u64(),
  timestamp_ms: bcs.u64(),
};
export const ClusterStateEvent = bcs.struct("ClusterStateEvent", ClusterStateEventFields);

/** Fields of `BillingPricesEvent`, in BCS order. */
export const BillingPricesEventFields = {
  cluster_id: ID,
  cpu_core_hour_mist: bcs.u64(),
  memory_gib_hour_mist: bcs.u64(),
  storage_gib_hour_mist: bcs.u64(),
  treasury_share_bps: bcs.u64(),
};
export const BillingPricesEvent = bcs.struct("BillingPricesEvent", BillingPricesEventFields);

/** Fields of `EscrowEvent`, in BCS order (`action`: `ESCROW_ACTION`). */
export const EscrowEventFields = {
  cluster_id: ID,
  namespace: bcs.string(),
  action: bcs.u8(),
  amount_mist: bcs.u64(),
  balance_mist: bcs.u64(),
  debt_mist: bcs.u64(),
  period: bcs.u64(),
};
export const EscrowEvent = bcs.struct("EscrowEvent", EscrowEventFields);

/** Fields of `UsageReportedEvent`, in BCS order. */
export const UsageReportedEventFields = {
  cluster_id: ID,
  period: bcs.u64(),
  period_start_ms: bcs.u64(),
  period_end_ms: bcs.u64(),
  billed_mist: bcs.u64(),
  collected_mist: bcs.u64(),
  workers_mist: bcs.u64(),
  treasury_mist: bcs.u64(),
  sequence: bcs.u64(),
};
export const UsageReportedEvent = bcs.struct("UsageReportedEvent", UsageReportedEventFields);

/** Fields of `WorkerEarningsEvent`, in BCS order (`action`: `EARNINGS_ACTION`). */
export const WorkerEarningsEventFields = {
  cluster_id: ID,
  node_id: bcs.string(),
  action: bcs.u8(),
  amount_mist: bcs.u64(),
  balance_mist: bcs.u64(),
  period: bcs.u64(),
};
export const WorkerEarningsEvent = bcs.struct("WorkerEarningsEvent", WorkerEarningsEventFields);

/** Field layouts by Move struct name (used to check the layouts against move/sources). */
export const EVENT_FIELDS = {
  ClusterCreatedEvent: ClusterCreatedEventFields,
  ClusterConfigEvent: ClusterConfigEventFields,
  TreasuryWithdrawnEvent: TreasuryWithdrawnEventFields,
  EnclaveConfigEvent: EnclaveConfigEventFields,
  EnclaveRegisteredEvent: EnclaveRegisteredEventFields,
  EnclaveKeyRemovedEvent: EnclaveKeyRemovedEventFields,
  NamespaceEvent: NamespaceEventFields,
  K8sAPIRequestEvent: K8sAPIRequestEventFields,
  K8sAPIRequestCancelledEvent: K8sAPIRequestCancelledEventFields,
  K8sAPIResultEvent: K8sAPIResultEventFields,
  WorkerNodeEvent: WorkerNodeEventFields,
  ClusterStateEvent: ClusterStateEventFields,
  BillingPricesEvent: BillingPricesEventFields,
  EscrowEvent: EscrowEventFields,
  UsageReportedEvent: UsageReportedEventFields,
  WorkerEarningsEvent: WorkerEarningsEventFields,
} as const;

/** Event schemas by their Move struct name (the last segment of the event's type tag). */
export const EVENT_SCHEMAS = {
  ClusterCreatedEvent,
  ClusterConfigEvent,
  TreasuryWithdrawnEvent,
  EnclaveConfigEvent,
  EnclaveRegisteredEvent,
  EnclaveKeyRemovedEvent,
  NamespaceEvent,
  K8sAPIRequestEvent,
  K8sAPIRequestCancelledEvent,
  K8sAPIResultEvent,
  WorkerNodeEvent,
  ClusterStateEvent,
  BillingPricesEvent,
  EscrowEvent,
  UsageReportedEvent,
  WorkerEarningsEvent,
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

/** A decoded event: its struct name and its fields, typed by that name. */
export type DecodedEvent = {
  [Name in EventName]: { name: Name; value: ReturnType<(typeof EVENT_SCHEMAS)[Name]["parse"]> };
}[EventName];

/**
 * Decodes the BCS contents of an event whose Move type is `type` (`0x…::events::Name`).
 * With `packageId`, an event of any other package is unknown too, even if its module and
 * struct names match ours (a full node's filter is not trusted to have left it out).
 */
export function decodeEvent(
  type: string,
  contents: Uint8Array,
  options: { packageId?: string } = {},
): DecodedEvent {
  const [eventPackage, module, name] = type.split("::");
  if (module !== "events" || name === undefined || !(name in EVENT_SCHEMAS)) {
    throw new UnknownEventError(type);
  }
  if (options.packageId !== undefined && !samePackage(eventPackage, options.packageId)) {
    throw new UnknownEventError(type);
  }
  const eventName = name as EventName;
  // The schema table is keyed by the same names the union is built from.
  return { name: eventName, value: EVENT_SCHEMAS[eventName].parse(contents) } as DecodedEvent;
}

/** Package ids compared as addresses (`0x2` and `0x000…02` are one package). */
function samePackage(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const normalize = (id: string) => id.toLowerCase().replace(/^0x/, "").padStart(64, "0");
  return normalize(a) === normalize(b);
}

/** Request ids, in emission order, of the `K8sAPIRequestEvent`s among `events`. */
export function requestIdsOf(
  events: readonly { eventType: string; bcs: Uint8Array }[] | undefined,
): bigint[] {
  return (events ?? []).flatMap((event) => {
    if (!event.eventType.endsWith("::events::K8sAPIRequestEvent")) return [];
    const decoded = decodeEvent(event.eventType, event.bcs);
    return decoded.name === "K8sAPIRequestEvent" ? [BigInt(decoded.value.request_id)] : [];
  });
}
