import {
  ClusterConfigEvent,
  ClusterCreatedEvent,
  DEFAULT_CONFIG,
  INSTALLED_ENCLAVE_KEY_KIND,
  LIMITS,
  TreasuryWithdrawnEvent,
} from "../../protocol/index.ts";
import { AdminCapObject, ClusterObject, objectType } from "../../protocol/objects.ts";
import type { MoveCallContext, MoveFunction, ObjectArg } from "../move-runtime.ts";
import {
  byteLength,
  type CallScope,
  type ClusterValue,
  entry,
  readCluster,
  writeCluster,
} from "./entry.ts";

/** `cluster::assert_admin` */
export function assertAdmin(scope: CallScope, cluster: ClusterValue, cap: ObjectArg): void {
  const { cluster_id } = AdminCapObject.parse(cap.contents());
  if (cluster_id !== cluster.id) scope.fail("cluster", "ENotAdmin", "assert_admin");
}

/** `cluster::assert_not_paused` */
export function assertNotPaused(scope: CallScope, cluster: ClusterValue): void {
  if (cluster.paused) scope.fail("cluster", "EPaused", "assert_not_paused");
}

export function emitConfig(ctx: MoveCallContext, cluster: ClusterValue): void {
  ctx.emit(
    "events",
    "ClusterConfigEvent",
    ClusterConfigEvent.serialize({
      cluster_id: cluster.id,
      ...cluster.config,
      paused: cluster.paused,
    }).toBytes(),
  );
}

/** The `u64` fields of the config (`require_sealed` has its own setter). */
type ConfigField = Exclude<keyof ClusterValue["config"], "require_sealed">;

/** An admin setter: `valid` is the function's own range check (`EInvalidConfig`). */
function setter(
  packageId: string,
  name:
    | "set_request_fee"
    | "set_min_worker_stake"
    | "set_heartbeat_period"
    | "set_unbonding_period"
    | "set_max_payload_bytes"
    | "set_signature_window"
    | "set_request_timeout",
  argName: string,
  field: ConfigField,
  valid: (value: bigint) => boolean,
): MoveFunction {
  return entry(packageId, name, (scope) => {
    const clusterArg = scope.args.object("cluster");
    const cluster = readCluster(clusterArg);
    assertAdmin(scope, cluster, scope.args.object("cap"));
    const value = scope.args.u64(argName);
    if (!valid(value)) scope.fail("cluster", "EInvalidConfig");
    cluster.config[field] = value.toString();
    writeCluster(clusterArg, cluster);
    emitConfig(scope.ctx, cluster);
  });
}

function setPaused(packageId: string, name: "pause" | "unpause", paused: boolean): MoveFunction {
  return entry(packageId, name, (scope) => {
    const clusterArg = scope.args.object("cluster");
    const cluster = readCluster(clusterArg);
    assertAdmin(scope, cluster, scope.args.object("cap"));
    cluster.paused = paused;
    writeCluster(clusterArg, cluster);
    emitConfig(scope.ctx, cluster);
  });
}

export function clusterModule(packageId: string): Record<string, MoveFunction> {
  const any = () => true;
  const positive = (value: bigint) => value > 0n;
  return {
    create_cluster: entry(packageId, "create_cluster", ({ ctx, args, fail }) => {
      const name = args.string("name");
      const length = byteLength(name);
      if (length === 0 || length > LIMITS.maxClusterNameBytes)
        fail("cluster", "EInvalidClusterName");
      const id = ctx.newId();
      const cluster: ClusterValue = {
        id,
        name,
        admin: ctx.sender,
        config: {
          request_fee_mist: DEFAULT_CONFIG.requestFeeMist.toString(),
          min_worker_stake_mist: DEFAULT_CONFIG.minWorkerStakeMist.toString(),
          heartbeat_period_ms: DEFAULT_CONFIG.heartbeatPeriodMs.toString(),
          unbonding_period_ms: DEFAULT_CONFIG.unbondingPeriodMs.toString(),
          max_payload_bytes: DEFAULT_CONFIG.maxPayloadBytes.toString(),
          signature_window_ms: DEFAULT_CONFIG.signatureWindowMs.toString(),
          request_timeout_ms: DEFAULT_CONFIG.requestTimeoutMs.toString(),
          require_sealed: DEFAULT_CONFIG.requireSealed,
        },
        paused: false,
        treasury: "0",
        allow_dev_enclave: true,
        pcrs: [],
        enclave_public_key: new Uint8Array(),
        enclave_encryption_key: new Uint8Array(),
        enclave_tls_key_sha256: new Uint8Array(),
        enclave_key_kind: INSTALLED_ENCLAVE_KEY_KIND.nitro,
        last_sequence: "0",
        next_request_id: "1",
      };
      ctx.emit(
        "events",
        "ClusterCreatedEvent",
        ClusterCreatedEvent.serialize({ cluster_id: id, name, admin: ctx.sender }).toBytes(),
      );
      ctx.createObject(
        id,
        objectType(packageId, "Cluster"),
        ClusterObject.serialize(cluster).toBytes(),
        {
          kind: "shared",
        },
      );
      const capId = ctx.newId();
      ctx.createObject(
        capId,
        objectType(packageId, "AdminCap"),
        AdminCapObject.serialize({ id: capId, cluster_id: id }).toBytes(),
        { kind: "address", address: ctx.sender },
      );
    }),
    set_request_fee: setter(packageId, "set_request_fee", "fee_mist", "request_fee_mist", any),
    set_min_worker_stake: setter(
      packageId,
      "set_min_worker_stake",
      "stake_mist",
      "min_worker_stake_mist",
      positive,
    ),
    set_heartbeat_period: setter(
      packageId,
      "set_heartbeat_period",
      "period_ms",
      "heartbeat_period_ms",
      positive,
    ),
    set_unbonding_period: setter(
      packageId,
      "set_unbonding_period",
      "period_ms",
      "unbonding_period_ms",
      any,
    ),
    set_max_payload_bytes: setter(
      packageId,
      "set_max_payload_bytes",
      "max_bytes",
      "max_payload_bytes",
      (value) => value > 0n && value <= BigInt(LIMITS.maxPayloadBytes),
    ),
    set_signature_window: setter(
      packageId,
      "set_signature_window",
      "window_ms",
      "signature_window_ms",
      positive,
    ),
    set_request_timeout: setter(
      packageId,
      "set_request_timeout",
      "timeout_ms",
      "request_timeout_ms",
      positive,
    ),
    set_require_sealed: entry(packageId, "set_require_sealed", (scope) => {
      const clusterArg = scope.args.object("cluster");
      const cluster = readCluster(clusterArg);
      assertAdmin(scope, cluster, scope.args.object("cap"));
      cluster.config.require_sealed = scope.args.bool("required");
      writeCluster(clusterArg, cluster);
      emitConfig(scope.ctx, cluster);
    }),
    pause: setPaused(packageId, "pause", true),
    unpause: setPaused(packageId, "unpause", false),
    withdraw_treasury: entry(packageId, "withdraw_treasury", (scope) => {
      const clusterArg = scope.args.object("cluster");
      const cluster = readCluster(clusterArg);
      assertAdmin(scope, cluster, scope.args.object("cap"));
      const amount = scope.args.u64("amount");
      const treasury = BigInt(cluster.treasury);
      if (treasury < amount) scope.fail("cluster", "EInsufficientTreasury");
      cluster.treasury = (treasury - amount).toString();
      writeCluster(clusterArg, cluster);
      const recipient = scope.args.address("recipient");
      scope.ctx.payCoin(recipient, amount);
      scope.ctx.emit(
        "events",
        "TreasuryWithdrawnEvent",
        TreasuryWithdrawnEvent.serialize({ cluster_id: cluster.id, amount, recipient }).toBytes(),
      );
    }),
  };
}
