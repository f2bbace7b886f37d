// BCS layouts of the package's objects and dynamic-field records (move/sources), field for
// field and in order, so clients can read a Cluster or a cap from `getObject` contents.
// `Balance<SUI>` is a struct with one u64; `UID` and `ID` are 32 bytes.
import { bcs } from "@mysten/sui/bcs";
import type { ObjectType } from "./calls.ts";
import type { MoveModule } from "./constants.ts";

const ID = bcs.Address;

/** Fields of `Config`, in BCS order. */
export const ClusterConfigFields = {
  request_fee_mist: bcs.u64(),
  min_worker_stake_mist: bcs.u64(),
  heartbeat_period_ms: bcs.u64(),
  unbonding_period_ms: bcs.u64(),
  max_payload_bytes: bcs.u64(),
  signature_window_ms: bcs.u64(),
  request_timeout_ms: bcs.u64(),
  require_sealed: bcs.bool(),
};
export const ClusterConfig = bcs.struct("Config", ClusterConfigFields);

/** Fields of `Cluster`, in BCS order. */
export const ClusterObjectFields = {
  id: ID,
  name: bcs.string(),
  admin: bcs.Address,
  config: ClusterConfig,
  paused: bcs.bool(),
  treasury: bcs.u64(),
  allow_dev_enclave: bcs.bool(),
  pcrs: bcs.vector(bcs.byteVector()),
  enclave_public_key: bcs.byteVector(),
  enclave_encryption_key: bcs.byteVector(),
  enclave_tls_key_sha256: bcs.byteVector(),
  enclave_key_kind: bcs.u8(),
  last_sequence: bcs.u64(),
  next_request_id: bcs.u64(),
};
export const ClusterObject = bcs.struct("Cluster", ClusterObjectFields);

/** Fields of `AdminCap`, in BCS order. */
export const AdminCapObjectFields = { id: ID, cluster_id: ID };
export const AdminCapObject = bcs.struct("AdminCap", AdminCapObjectFields);

/** Fields of `NamespaceCap`, in BCS order. */
export const NamespaceCapObjectFields = {
  id: ID,
  cluster_id: ID,
  namespace: bcs.string(),
};
export const NamespaceCapObject = bcs.struct("NamespaceCap", NamespaceCapObjectFields);

/** Fields of `WorkerCap`, in BCS order. */
export const WorkerCapObjectFields = {
  id: ID,
  cluster_id: ID,
  node_id: bcs.string(),
};
export const WorkerCapObject = bcs.struct("WorkerCap", WorkerCapObjectFields);

/** `requests::Request`, the value under `RequestKey { request_id }`: fields in BCS order. */
export const RequestRecordFields = {
  requester: bcs.Address,
  namespace: bcs.string(),
  fee: bcs.u64(),
  status: bcs.u8(),
  submitted_at_ms: bcs.u64(),
};
/** `requests::Request`, the value under `RequestKey { request_id }`. */
export const RequestRecord = bcs.struct("Request", RequestRecordFields);

/** Fields of `NamespaceRecord`, in BCS order. */
export const NamespaceRecordFields = { cap_id: ID, owner: bcs.Address };
/** `tenancy::NamespaceRecord`, the value under `NamespaceKey { namespace }`. */
export const NamespaceRecord = bcs.struct("NamespaceRecord", NamespaceRecordFields);

/** Fields of `Worker`, in BCS order. */
export const WorkerRecordFields = {
  owner: bcs.Address,
  stake: bcs.u64(),
  encryption_key: bcs.byteVector(),
  status: bcs.u8(),
  registered_at_ms: bcs.u64(),
  last_heartbeat_ms: bcs.u64(),
  unbonding_since_ms: bcs.u64(),
};
/** `workers::Worker`, the value under `WorkerKey { node_id }`. */
export const WorkerRecord = bcs.struct("Worker", WorkerRecordFields);

/** Fields of `billing::Prices`, in BCS order (the value under `PricesKey`). */
export const BillingPricesRecordFields = {
  cpu_core_hour_mist: bcs.u64(),
  memory_gib_hour_mist: bcs.u64(),
  storage_gib_hour_mist: bcs.u64(),
  treasury_share_bps: bcs.u64(),
};
export const BillingPricesRecord = bcs.struct("Prices", BillingPricesRecordFields);

/** Fields of `billing::Ledger`, in BCS order (the value under `LedgerKey`). */
export const BillingLedgerRecordFields = {
  reported_periods: bcs.u64(),
  last_period_end_ms: bcs.u64(),
};
export const BillingLedgerRecord = bcs.struct("Ledger", BillingLedgerRecordFields);

/** Fields of `billing::Escrow`, in BCS order (the value under `EscrowKey { namespace }`). */
export const EscrowRecordFields = {
  balance: bcs.u64(),
  debt_mist: bcs.u64(),
  suspended: bcs.bool(),
};
export const EscrowRecord = bcs.struct("Escrow", EscrowRecordFields);

/** The module that declares each object type. */
export const OBJECT_MODULES: Record<ObjectType, MoveModule> = {
  Cluster: "cluster",
  AdminCap: "cluster",
  NamespaceCap: "tenancy",
  WorkerCap: "workers",
};

/** Full Move type of an object: `<package>::<module>::<name>`. */
export function objectType(packageId: string, name: ObjectType): string {
  return `${packageId}::${OBJECT_MODULES[name]}::${name}`;
}

/** Field layouts by Move struct name (used to check the layouts against move/sources). */
export const OBJECT_LAYOUTS = {
  cluster: {
    Config: ClusterConfigFields,
    Cluster: ClusterObjectFields,
    AdminCap: AdminCapObjectFields,
  },
  tenancy: { NamespaceCap: NamespaceCapObjectFields, NamespaceRecord: NamespaceRecordFields },
  requests: { Request: RequestRecordFields },
  workers: { WorkerCap: WorkerCapObjectFields, Worker: WorkerRecordFields },
  billing: {
    Prices: BillingPricesRecordFields,
    Ledger: BillingLedgerRecordFields,
    Escrow: EscrowRecordFields,
  },
} as const;
