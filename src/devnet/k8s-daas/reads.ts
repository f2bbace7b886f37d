import type { BcsType } from "@mysten/bcs";
import { bcs } from "@mysten/sui/bcs";
import { normalizeStructTag } from "@mysten/sui/utils";
import { abortCode, type MoveModule } from "../../protocol/index.ts";
import {
  AdminCapObject,
  ClusterObject,
  NamespaceCapObject,
  NamespaceRecord,
  objectType,
  RequestRecord,
  WorkerCapObject,
  WorkerRecord,
} from "../../protocol/objects.ts";
import type { MoveArg, MoveCallContext, MoveFunction, MoveParam } from "../move-runtime.ts";
import { type ClusterValue, namespaceKey, requestKey, workerKey } from "./entry.ts";

// The package's read-only accessors (`public fun`s taking `&Cluster` or a cap). They are
// not in `src/protocol`'s call table, which lists what clients send, but any PTB may call
// them on chain: a devnet without them would refuse transactions the chain accepts, and
// would never raise the not-found codes only they raise (`tenancy::ENamespaceNotClaimed`).

// biome-ignore lint/suspicious/noExplicitAny: return schemas of every value type share one list
type AnyBcs = BcsType<any, any>;

const str = bcs.string();

/** One accessor: typed parameters, a return schema, and how the value is read. */
function view(
  params: MoveParam[],
  returns: AnyBcs,
  read: (ctx: MoveCallContext, args: MoveArg[]) => unknown,
): MoveFunction {
  return {
    params,
    run: (ctx, args) => [{ kind: "pure", bytes: returns.serialize(read(ctx, args)).toBytes() }],
  };
}

function fail(ctx: MoveCallContext, module: MoveModule, name: string, inFunction?: string): never {
  return ctx.abort(module, abortCode(module, name).code, name, inFunction);
}

function pureArg(args: MoveArg[], index: number): unknown {
  const arg = args[index];
  if (arg?.kind !== "pure") throw new Error(`argument ${index} is not a pure value`);
  return arg.value;
}

function objectContents(args: MoveArg[], index: number): Uint8Array {
  const arg = args[index];
  if (arg?.kind !== "object") throw new Error(`argument ${index} is not an object`);
  return arg.contents();
}

export function readModules(packageId: string) {
  const objectParam = (type: "Cluster" | "AdminCap" | "NamespaceCap" | "WorkerCap"): MoveParam => ({
    kind: "object",
    name: type === "Cluster" ? "cluster" : "cap",
    type: normalizeStructTag(objectType(packageId, type)),
    mode: "ref",
  });
  const cluster = objectParam("Cluster");
  const keyParam = (name: string, layout: AnyBcs): MoveParam => ({
    kind: "pure",
    name,
    typeName: layout.name,
    layout,
  });
  const clusterOf = (args: MoveArg[]): ClusterValue => ClusterObject.parse(objectContents(args, 0));

  /** `&Cluster` getters of `cluster`. */
  const clusterGetter = (returns: AnyBcs, read: (value: ClusterValue) => unknown) =>
    view([cluster], returns, (_ctx, args) => read(clusterOf(args)));

  /** A record under the cluster, or the module's not-found abort. */
  const record = <T>(
    ctx: MoveCallContext,
    args: MoveArg[],
    key: Uint8Array,
    schema: { parse(bytes: Uint8Array): T },
    notFound: [MoveModule, string, string?],
  ): T => {
    const bytes = ctx.getField(clusterOf(args).id, key);
    if (!bytes) fail(ctx, ...notFound);
    return schema.parse(bytes);
  };
  const request = (ctx: MoveCallContext, args: MoveArg[]) =>
    record(ctx, args, requestKey(BigInt(pureArg(args, 1) as string)), RequestRecord, [
      "requests",
      "ERequestNotFound",
      "borrow",
    ]);
  const worker = (ctx: MoveCallContext, args: MoveArg[]) =>
    record(ctx, args, workerKey(pureArg(args, 1) as string), WorkerRecord, [
      "workers",
      "EWorkerNotFound",
      "borrow",
    ]);
  const byRequestId = (
    returns: AnyBcs,
    read: (r: ReturnType<typeof RequestRecord.parse>) => unknown,
  ) =>
    view([cluster, keyParam("request_id", bcs.u64())], returns, (ctx, args) =>
      read(request(ctx, args)),
    );
  const byNodeId = (returns: AnyBcs, read: (w: ReturnType<typeof WorkerRecord.parse>) => unknown) =>
    view([cluster, keyParam("node_id", str)], returns, (ctx, args) => read(worker(ctx, args)));

  return {
    cluster: {
      name: clusterGetter(str, (c) => c.name),
      admin: clusterGetter(bcs.Address, (c) => c.admin),
      request_fee_mist: clusterGetter(bcs.u64(), (c) => c.config.request_fee_mist),
      min_worker_stake_mist: clusterGetter(bcs.u64(), (c) => c.config.min_worker_stake_mist),
      heartbeat_period_ms: clusterGetter(bcs.u64(), (c) => c.config.heartbeat_period_ms),
      unbonding_period_ms: clusterGetter(bcs.u64(), (c) => c.config.unbonding_period_ms),
      max_payload_bytes: clusterGetter(bcs.u64(), (c) => c.config.max_payload_bytes),
      signature_window_ms: clusterGetter(bcs.u64(), (c) => c.config.signature_window_ms),
      request_timeout_ms: clusterGetter(bcs.u64(), (c) => c.config.request_timeout_ms),
      require_sealed: clusterGetter(bcs.bool(), (c) => c.config.require_sealed),
      is_paused: clusterGetter(bcs.bool(), (c) => c.paused),
      treasury_value: clusterGetter(bcs.u64(), (c) => c.treasury),
      allow_dev_enclave: clusterGetter(bcs.bool(), (c) => c.allow_dev_enclave),
      pcrs: clusterGetter(bcs.vector(bcs.byteVector()), (c) => c.pcrs),
      enclave_public_key: clusterGetter(bcs.byteVector(), (c) => c.enclave_public_key),
      enclave_encryption_key: clusterGetter(bcs.byteVector(), (c) => c.enclave_encryption_key),
      enclave_tls_key_sha256: clusterGetter(bcs.byteVector(), (c) => c.enclave_tls_key_sha256),
      enclave_key_kind: clusterGetter(bcs.u8(), (c) => c.enclave_key_kind),
      last_sequence: clusterGetter(bcs.u64(), (c) => c.last_sequence),
      next_request_id: clusterGetter(bcs.u64(), (c) => c.next_request_id),
      admin_cap_cluster_id: view(
        [objectParam("AdminCap")],
        bcs.Address,
        (_ctx, args) => AdminCapObject.parse(objectContents(args, 0)).cluster_id,
      ),
    },
    tenancy: {
      is_claimed: view([cluster, keyParam("namespace", str)], bcs.bool(), (ctx, args) =>
        Boolean(ctx.getField(clusterOf(args).id, namespaceKey(pureArg(args, 1) as string))),
      ),
      owner: view(
        [cluster, keyParam("namespace", str)],
        bcs.Address,
        (ctx, args) =>
          record(ctx, args, namespaceKey(pureArg(args, 1) as string), NamespaceRecord, [
            "tenancy",
            "ENamespaceNotClaimed",
          ]).owner,
      ),
      namespace: view(
        [objectParam("NamespaceCap")],
        str,
        (_ctx, args) => NamespaceCapObject.parse(objectContents(args, 0)).namespace,
      ),
      cap_cluster_id: view(
        [objectParam("NamespaceCap")],
        bcs.Address,
        (_ctx, args) => NamespaceCapObject.parse(objectContents(args, 0)).cluster_id,
      ),
    },
    requests: {
      exists: view([cluster, keyParam("request_id", bcs.u64())], bcs.bool(), (ctx, args) =>
        Boolean(ctx.getField(clusterOf(args).id, requestKey(BigInt(pureArg(args, 1) as string)))),
      ),
      status: byRequestId(bcs.u8(), (r) => r.status),
      requester: byRequestId(bcs.Address, (r) => r.requester),
      request_namespace: byRequestId(str, (r) => r.namespace),
      escrowed_fee: byRequestId(bcs.u64(), (r) => r.fee),
      submitted_at_ms: byRequestId(bcs.u64(), (r) => r.submitted_at_ms),
    },
    workers: {
      exists: view([cluster, keyParam("node_id", str)], bcs.bool(), (ctx, args) =>
        Boolean(ctx.getField(clusterOf(args).id, workerKey(pureArg(args, 1) as string))),
      ),
      status: byNodeId(bcs.u8(), (w) => w.status),
      stake_mist: byNodeId(bcs.u64(), (w) => w.stake),
      owner: byNodeId(bcs.Address, (w) => w.owner),
      encryption_key: byNodeId(bcs.byteVector(), (w) => w.encryption_key),
      last_heartbeat_ms: byNodeId(bcs.u64(), (w) => w.last_heartbeat_ms),
      cap_node_id: view(
        [objectParam("WorkerCap")],
        str,
        (_ctx, args) => WorkerCapObject.parse(objectContents(args, 0)).node_id,
      ),
      cap_cluster_id: view(
        [objectParam("WorkerCap")],
        bcs.Address,
        (_ctx, args) => WorkerCapObject.parse(objectContents(args, 0)).cluster_id,
      ),
    },
  } satisfies Record<string, Record<string, MoveFunction>>;
}
