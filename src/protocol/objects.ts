// BCS layouts of the package's objects and dynamic-field records (move/sources), field for
// field and in order, so clients can read a Cluster or a cap from `getObject` contents.
// `Balance<SUI>` is a struct with one u64; `UID` and `ID` are 32 bytes.
import { bcs } from "@mysten/sui/bcs";

const ID = bcs.Address;

export const ClusterConfig = bcs.struct("Config", {
  request_fee_mist: bcs.u64(),
  min_worker_stake_mist: bcs.u64(),
  heartbeat_period_ms: bcs.u64(),
  unbonding_period_ms: bcs.u64(),
  max_payload_bytes: bcs.u64(),
  signature_window_ms: bcs.u64(),
});

export const ClusterObject = bcs.struct("Cluster", {
  id: ID,
  name: bcs.string(),
  admin: bcs.Address,
  config: ClusterConfig,
  paused: bcs.bool(),
  treasury: bcs.u64(),
  allow_dev_enclave: bcs.bool(),
  pcrs: bcs.vector(bcs.byteVector()),
  enclave_public_key: bcs.byteVector(),
  last_sequence: bcs.u64(),
  next_request_id: bcs.u64(),
});

export const AdminCapObject = bcs.struct("AdminCap", { id: ID, cluster_id: ID });

export const NamespaceCapObject = bcs.struct("NamespaceCap", {
  id: ID,
  cluster_id: ID,
  namespace: bcs.string(),
});

export const WorkerCapObject = bcs.struct("WorkerCap", {
  id: ID,
  cluster_id: ID,
  node_id: bcs.string(),
});

/** `requests::Request`, the value under `RequestKey { request_id }`. */
export const RequestRecord = bcs.struct("Request", {
  requester: bcs.Address,
  namespace: bcs.string(),
  fee: bcs.u64(),
  status: bcs.u8(),
});

/** `tenancy::NamespaceRecord`, the value under `NamespaceKey { namespace }`. */
export const NamespaceRecord = bcs.struct("NamespaceRecord", { cap_id: ID, owner: bcs.Address });

/** `workers::Worker`, the value under `WorkerKey { node_id }`. */
export const WorkerRecord = bcs.struct("Worker", {
  owner: bcs.Address,
  stake: bcs.u64(),
  encryption_key: bcs.byteVector(),
  status: bcs.u8(),
  registered_at_ms: bcs.u64(),
  last_heartbeat_ms: bcs.u64(),
  unbonding_since_ms: bcs.u64(),
});

/** Move type of each object, given the package id. */
export function objectType(
  packageId: string,
  name: "Cluster" | "AdminCap" | "NamespaceCap" | "WorkerCap",
): string {
  const module = name === "NamespaceCap" ? "tenancy" : name === "WorkerCap" ? "workers" : "cluster";
  return `${packageId}::${module}::${name}`;
}
