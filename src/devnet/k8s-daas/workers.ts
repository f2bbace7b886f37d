import {
  isDnsLabel,
  LIMITS,
  signingBytes,
  WORKER_ACTION,
  WORKER_STATUS,
  WorkerNodeEvent,
} from "../../protocol/index.ts";
import { objectType, WorkerCapObject, WorkerRecord } from "../../protocol/objects.ts";
import type { MoveFunction, ObjectArg } from "../move-runtime.ts";
import { assertNotPaused } from "./cluster.ts";
import { signedArgs, verifyEnclaveMessage } from "./enclave.ts";
import {
  byteLength,
  type CallScope,
  type ClusterValue,
  coinValue,
  entry,
  readCluster,
  takeCoin,
  workerKey,
  writeCluster,
} from "./entry.ts";

type WorkerValue = ReturnType<typeof WorkerRecord.parse>;

/** `workers::borrow_mut` */
function readWorker(scope: CallScope, cluster: ClusterValue, nodeId: string): WorkerValue {
  const bytes = scope.ctx.getField(cluster.id, workerKey(nodeId));
  if (!bytes) scope.fail("workers", "EWorkerNotFound", "borrow_mut");
  return WorkerRecord.parse(bytes);
}

function writeWorker(
  scope: CallScope,
  cluster: ClusterValue,
  nodeId: string,
  worker: WorkerValue,
): void {
  scope.ctx.setField(cluster.id, workerKey(nodeId), WorkerRecord.serialize(worker).toBytes());
}

/** `workers::borrow_for_cap_mut` */
function workerForCap(scope: CallScope, cluster: ClusterValue, capArg: ObjectArg) {
  const cap = WorkerCapObject.parse(capArg.contents());
  if (cap.cluster_id !== cluster.id) scope.fail("workers", "EWrongWorkerCap", "borrow_for_cap_mut");
  return { cap, worker: readWorker(scope, cluster, cap.node_id) };
}

function emitWorker(
  scope: CallScope,
  clusterId: string,
  nodeId: string,
  owner: string,
  action: number,
  stakeMist: bigint | string,
  timestampMs: bigint | number,
  data: Uint8Array = new Uint8Array(),
): void {
  scope.ctx.emit(
    "events",
    "WorkerNodeEvent",
    WorkerNodeEvent.serialize({
      cluster_id: clusterId,
      node_id: nodeId,
      owner,
      action,
      stake_mist: stakeMist,
      timestamp_ms: timestampMs,
      data,
    }).toBytes(),
  );
}

const isLive = (worker: WorkerValue) =>
  worker.status === WORKER_STATUS.pending || worker.status === WORKER_STATUS.active;

export function workersModule(packageId: string): Record<string, MoveFunction> {
  return {
    register_worker_node: entry(packageId, "register_worker_node", (scope) => {
      const { ctx, args, fail } = scope;
      const cluster = readCluster(args.object("cluster"));
      assertNotPaused(scope, cluster);
      const nodeId = args.string("node_id");
      const encryptionKey = args.bytes("encryption_key");
      if (!isDnsLabel(nodeId)) fail("workers", "EInvalidNodeId");
      if (encryptionKey.length !== LIMITS.workerEncryptionKeyBytes)
        fail("workers", "EInvalidEncryptionKey");
      if (ctx.getField(cluster.id, workerKey(nodeId))) fail("workers", "EWorkerExists");
      const stakeArg = args.object("stake");
      const stakeMist = coinValue(stakeArg);
      if (stakeMist < BigInt(cluster.config.min_worker_stake_mist)) fail("workers", "EStakeTooLow");
      takeCoin(stakeArg);
      const now = ctx.clockMs;
      writeWorker(scope, cluster, nodeId, {
        owner: ctx.sender,
        stake: stakeMist.toString(),
        encryption_key: encryptionKey,
        status: WORKER_STATUS.pending,
        registered_at_ms: String(now),
        last_heartbeat_ms: String(now),
        unbonding_since_ms: "0",
      });
      const capId = ctx.newId();
      ctx.createObject(
        capId,
        objectType(packageId, "WorkerCap"),
        WorkerCapObject.serialize({ id: capId, cluster_id: cluster.id, node_id: nodeId }).toBytes(),
        { kind: "address", address: ctx.sender },
      );
      emitWorker(scope, cluster.id, nodeId, ctx.sender, WORKER_ACTION.registered, stakeMist, now);
    }),
    worker_heartbeat: entry(packageId, "worker_heartbeat", (scope) => {
      const cluster = readCluster(scope.args.object("cluster"));
      const { cap, worker } = workerForCap(scope, cluster, scope.args.object("cap"));
      if (!isLive(worker)) scope.fail("workers", "EWorkerNotLive");
      const now = scope.ctx.clockMs;
      writeWorker(scope, cluster, cap.node_id, { ...worker, last_heartbeat_ms: String(now) });
      emitWorker(
        scope,
        cap.cluster_id,
        cap.node_id,
        scope.ctx.sender,
        WORKER_ACTION.heartbeat,
        worker.stake,
        now,
      );
    }),
    activate_worker: entry(packageId, "activate_worker", (scope) => {
      const { ctx, args, fail } = scope;
      const clusterArg = args.object("cluster");
      const cluster = readCluster(clusterArg);
      const nodeId = args.string("node_id");
      const credential = args.bytes("encrypted_join_credential");
      if (credential.length === 0 || credential.length > LIMITS.maxJoinCredentialBytes) {
        fail("workers", "EInvalidCredential");
      }
      const worker = readWorker(scope, cluster, nodeId);
      if (worker.status !== WORKER_STATUS.pending) fail("workers", "EWorkerNotPending");
      const { timestampMs, sequence, signature } = signedArgs(scope);
      const message = signingBytes("workerActivation", timestampMs, {
        cluster_id: cluster.id,
        sequence,
        node_id: nodeId,
        encrypted_join_credential: credential,
      });
      verifyEnclaveMessage(scope, cluster, message, timestampMs, sequence, signature);
      writeWorker(scope, cluster, nodeId, { ...worker, status: WORKER_STATUS.active });
      writeCluster(clusterArg, cluster);
      emitWorker(
        scope,
        cluster.id,
        nodeId,
        worker.owner,
        WORKER_ACTION.activated,
        worker.stake,
        ctx.clockMs,
        credential,
      );
    }),
    refuse_worker: entry(packageId, "refuse_worker", (scope) => {
      const { ctx, args, fail } = scope;
      const clusterArg = args.object("cluster");
      const cluster = readCluster(clusterArg);
      const nodeId = args.string("node_id");
      const reason = args.string("reason");
      if (byteLength(reason) > LIMITS.maxWorkerReasonBytes) fail("workers", "EReasonTooLong");
      const worker = readWorker(scope, cluster, nodeId);
      if (worker.status !== WORKER_STATUS.pending) fail("workers", "EWorkerNotPending");
      const { timestampMs, sequence, signature } = signedArgs(scope);
      const message = signingBytes("workerRefusal", timestampMs, {
        cluster_id: cluster.id,
        sequence,
        node_id: nodeId,
        reason,
      });
      verifyEnclaveMessage(scope, cluster, message, timestampMs, sequence, signature);
      writeWorker(scope, cluster, nodeId, { ...worker, status: WORKER_STATUS.refused });
      writeCluster(clusterArg, cluster);
      emitWorker(
        scope,
        cluster.id,
        nodeId,
        worker.owner,
        WORKER_ACTION.refused,
        worker.stake,
        ctx.clockMs,
        new TextEncoder().encode(reason),
      );
    }),
    deregister_worker: entry(packageId, "deregister_worker", (scope) => {
      const cluster = readCluster(scope.args.object("cluster"));
      const { cap, worker } = workerForCap(scope, cluster, scope.args.object("cap"));
      if (!isLive(worker)) scope.fail("workers", "EWorkerNotLive");
      const now = scope.ctx.clockMs;
      writeWorker(scope, cluster, cap.node_id, {
        ...worker,
        status: WORKER_STATUS.unbonding,
        unbonding_since_ms: String(now),
      });
      emitWorker(
        scope,
        cap.cluster_id,
        cap.node_id,
        scope.ctx.sender,
        WORKER_ACTION.deregistered,
        worker.stake,
        now,
      );
    }),
    withdraw_stake: entry(packageId, "withdraw_stake", (scope) => {
      const { ctx, args, fail } = scope;
      const cluster = readCluster(args.object("cluster"));
      const capArg = args.object("cap");
      const { cap, worker } = workerForCap(scope, cluster, capArg);
      if (worker.status === WORKER_STATUS.slashed) fail("workers", "EWorkerSlashed");
      const refused = worker.status === WORKER_STATUS.refused;
      if (worker.status !== WORKER_STATUS.unbonding && !refused)
        fail("workers", "EWorkerNotUnbonding");
      const now = BigInt(ctx.clockMs);
      // A refused worker never served: no unbonding period.
      if (
        !refused &&
        now < BigInt(worker.unbonding_since_ms) + BigInt(cluster.config.unbonding_period_ms)
      ) {
        fail("workers", "EUnbondingNotOver");
      }
      capArg.delete();
      ctx.removeField(cluster.id, workerKey(cap.node_id));
      ctx.payCoin(ctx.sender, BigInt(worker.stake));
      emitWorker(
        scope,
        cap.cluster_id,
        cap.node_id,
        ctx.sender,
        WORKER_ACTION.withdrawn,
        worker.stake,
        now,
      );
    }),
    slash_worker: entry(packageId, "slash_worker", (scope) => {
      const { ctx, args, fail } = scope;
      const clusterArg = args.object("cluster");
      const cluster = readCluster(clusterArg);
      const nodeId = args.string("node_id");
      const reason = args.string("reason");
      if (byteLength(reason) > LIMITS.maxWorkerReasonBytes) fail("workers", "EReasonTooLong");
      const worker = readWorker(scope, cluster, nodeId);
      if (worker.status === WORKER_STATUS.slashed) fail("workers", "EWorkerSlashed");
      const { timestampMs, sequence, signature } = signedArgs(scope);
      const message = signingBytes("slashVerdict", timestampMs, {
        cluster_id: cluster.id,
        sequence,
        node_id: nodeId,
        reason,
      });
      verifyEnclaveMessage(scope, cluster, message, timestampMs, sequence, signature);
      cluster.treasury = (BigInt(cluster.treasury) + BigInt(worker.stake)).toString();
      writeWorker(scope, cluster, nodeId, { ...worker, stake: "0", status: WORKER_STATUS.slashed });
      writeCluster(clusterArg, cluster);
      emitWorker(
        scope,
        cluster.id,
        nodeId,
        worker.owner,
        WORKER_ACTION.slashed,
        worker.stake,
        ctx.clockMs,
        new TextEncoder().encode(reason),
      );
    }),
  };
}
