// The devnet twin of move/sources/billing.move: prices, per-namespace escrows, the
// enclave's usage report per billing period (in one or more parts) and workers' earnings, with the same checks,
// order of checks, abort codes, events and integer arithmetic (src/protocol/billing.ts).
import type { BcsType } from "@mysten/bcs";
import { bcs } from "@mysten/sui/bcs";
import { normalizeStructTag } from "@mysten/sui/utils";
import {
  type BillingPrices,
  BillingPricesEvent,
  BPS_DENOMINATOR,
  EARNINGS_ACTION,
  ESCROW_ACTION,
  EscrowEvent,
  signingBytes,
  splitCollection,
  UsageReportedEvent,
  usageAt,
  usageValueMist,
  WorkerEarningsEvent,
} from "../../protocol/index.ts";
import {
  BillingLedgerRecord,
  BillingPricesRecord,
  ClusterObject,
  EscrowRecord,
  objectType,
  PendingReportRecord,
  WorkerCapObject,
} from "../../protocol/objects.ts";
import type { MoveArg, MoveCallContext, MoveFunction, MoveParam } from "../move-runtime.ts";
import { assertAdmin } from "./cluster.ts";
import { signedArgs, verifyEnclaveMessage } from "./enclave.ts";
import {
  billingLedgerKey,
  billingPendingKey,
  billingPricesKey,
  type CallScope,
  earningsKey,
  entry,
  escrowKey,
  readCluster,
  takeCoin,
  workerKey,
  writeCluster,
} from "./entry.ts";
import { readNamespaceCap } from "./tenancy.ts";

type PricesValue = ReturnType<typeof BillingPricesRecord.parse>;
type EscrowValue = ReturnType<typeof EscrowRecord.parse>;
type LedgerValue = ReturnType<typeof BillingLedgerRecord.parse>;
type PendingValue = ReturnType<typeof PendingReportRecord.parse>;

const NO_PRICES: PricesValue = {
  cpu_core_hour_mist: "0",
  memory_gib_hour_mist: "0",
  storage_gib_hour_mist: "0",
  treasury_share_bps: "0",
};
const NEW_ESCROW: EscrowValue = { balance: "0", debt_mist: "0", suspended: false };

function readPrices(ctx: MoveCallContext, clusterId: string): PricesValue {
  const bytes = ctx.getField(clusterId, billingPricesKey());
  return bytes ? BillingPricesRecord.parse(bytes) : NO_PRICES;
}

function readLedger(ctx: MoveCallContext, clusterId: string): LedgerValue {
  const bytes = ctx.getField(clusterId, billingLedgerKey());
  return bytes
    ? BillingLedgerRecord.parse(bytes)
    : { reported_periods: "0", last_period_end_ms: "0" };
}

/** The period being reported in parts, if one is. */
function readPending(ctx: MoveCallContext, clusterId: string): PendingValue | undefined {
  const bytes = ctx.getField(clusterId, billingPendingKey());
  return bytes ? PendingReportRecord.parse(bytes) : undefined;
}

function readEscrow(ctx: MoveCallContext, clusterId: string, namespace: string): EscrowValue {
  const bytes = ctx.getField(clusterId, escrowKey(namespace));
  return bytes ? EscrowRecord.parse(bytes) : NEW_ESCROW;
}

function writeEscrow(
  ctx: MoveCallContext,
  clusterId: string,
  namespace: string,
  escrow: EscrowValue,
): void {
  ctx.setField(clusterId, escrowKey(namespace), EscrowRecord.serialize(escrow).toBytes());
}

function readEarnings(ctx: MoveCallContext, clusterId: string, nodeId: string): bigint {
  const bytes = ctx.getField(clusterId, earningsKey(nodeId));
  return bytes ? BigInt(bcs.u64().parse(bytes)) : 0n;
}

/** The prices as the protocol's arithmetic takes them. */
export function billingPrices(prices: PricesValue): BillingPrices {
  return {
    cpuCoreHourMist: BigInt(prices.cpu_core_hour_mist),
    memoryGibHourMist: BigInt(prices.memory_gib_hour_mist),
    storageGibHourMist: BigInt(prices.storage_gib_hour_mist),
    treasuryShareBps: BigInt(prices.treasury_share_bps),
  };
}

function emitEscrow(
  scope: CallScope,
  clusterId: string,
  namespace: string,
  action: number,
  amount: bigint,
  escrow: EscrowValue,
  period: bigint,
): void {
  scope.ctx.emit(
    "events",
    "EscrowEvent",
    EscrowEvent.serialize({
      cluster_id: clusterId,
      namespace,
      action,
      amount_mist: amount,
      balance_mist: escrow.balance,
      debt_mist: escrow.debt_mist,
      period,
    }).toBytes(),
  );
}

function emitEarnings(
  scope: CallScope,
  clusterId: string,
  nodeId: string,
  action: number,
  amount: bigint,
  balance: bigint,
  period: bigint,
): void {
  scope.ctx.emit(
    "events",
    "WorkerEarningsEvent",
    WorkerEarningsEvent.serialize({
      cluster_id: clusterId,
      node_id: nodeId,
      action,
      amount_mist: amount,
      balance_mist: balance,
      period,
    }).toBytes(),
  );
}

const U64_MAX = (1n << 64n) - 1n;

// biome-ignore lint/suspicious/noExplicitAny: return schemas of every value type share one list
type AnyBcs = BcsType<any, any>;

export function billingModule(packageId: string): Record<string, MoveFunction> {
  const clusterParam: MoveParam = {
    kind: "object",
    name: "cluster",
    type: normalizeStructTag(objectType(packageId, "Cluster")),
    mode: "ref",
  };
  const keyParam = (name: string): MoveParam => ({
    kind: "pure",
    name,
    typeName: bcs.string().name,
    layout: bcs.string(),
  });
  const clusterIdOf = (args: MoveArg[]): string => {
    const arg = args[0];
    if (arg?.kind !== "object") throw new Error("argument 0 is not the cluster");
    return ClusterObject.parse(arg.contents()).id;
  };
  const keyOf = (args: MoveArg[]): string => {
    const arg = args[1];
    if (arg?.kind !== "pure") throw new Error("argument 1 is not a pure value");
    return arg.value as string;
  };
  /** A `&Cluster` read, with a `String` key when `key` is given. */
  const read = (
    returns: AnyBcs,
    get: (ctx: MoveCallContext, clusterId: string, key: string) => unknown,
    key?: string,
  ): MoveFunction => ({
    params: key ? [clusterParam, keyParam(key)] : [clusterParam],
    run: (ctx, args) => [
      {
        kind: "pure",
        bytes: returns.serialize(get(ctx, clusterIdOf(args), key ? keyOf(args) : "")).toBytes(),
      },
    ],
  });
  const price = (field: keyof PricesValue) =>
    read(bcs.u64(), (ctx, id) => readPrices(ctx, id)[field]);

  return {
    set_prices: entry(packageId, "set_prices", (scope) => {
      const { ctx, args, fail } = scope;
      const cluster = readCluster(args.object("cluster"));
      assertAdmin(scope, cluster, args.object("cap"));
      const prices: PricesValue = {
        cpu_core_hour_mist: args.u64("cpu_core_hour_mist").toString(),
        memory_gib_hour_mist: args.u64("memory_gib_hour_mist").toString(),
        storage_gib_hour_mist: args.u64("storage_gib_hour_mist").toString(),
        treasury_share_bps: args.u64("treasury_share_bps").toString(),
      };
      if (BigInt(prices.treasury_share_bps) > BPS_DENOMINATOR) fail("billing", "EInvalidShare");
      ctx.setField(cluster.id, billingPricesKey(), BillingPricesRecord.serialize(prices).toBytes());
      ctx.emit(
        "events",
        "BillingPricesEvent",
        BillingPricesEvent.serialize({ cluster_id: cluster.id, ...prices }).toBytes(),
      );
    }),
    deposit: entry(packageId, "deposit", (scope) => {
      const { ctx, args } = scope;
      const clusterArg = args.object("cluster");
      const cluster = readCluster(clusterArg);
      const cap = readNamespaceCap(scope, cluster, args.object("cap"));
      const amount = takeCoin(args.object("payment"));
      const escrow = readEscrow(ctx, cluster.id, cap.namespace);
      const debt = BigInt(escrow.debt_mist);
      const settle = debt < amount ? debt : amount;
      const resumed = escrow.suspended && debt - settle === 0n;
      const updated: EscrowValue = {
        balance: (BigInt(escrow.balance) + amount - settle).toString(),
        debt_mist: (debt - settle).toString(),
        suspended: escrow.suspended && !resumed,
      };
      writeEscrow(ctx, cluster.id, cap.namespace, updated);
      cluster.treasury = (BigInt(cluster.treasury) + settle).toString();
      writeCluster(clusterArg, cluster);
      emitEscrow(scope, cluster.id, cap.namespace, ESCROW_ACTION.deposited, amount, updated, 0n);
      if (resumed) {
        emitEscrow(scope, cluster.id, cap.namespace, ESCROW_ACTION.resumed, 0n, updated, 0n);
      }
    }),
    withdraw: entry(packageId, "withdraw", (scope) => {
      const { ctx, args, fail } = scope;
      const cluster = readCluster(args.object("cluster"));
      const cap = readNamespaceCap(scope, cluster, args.object("cap"));
      const amount = args.u64("amount");
      const bytes = ctx.getField(cluster.id, escrowKey(cap.namespace));
      if (bytes === undefined) return fail("billing", "EInsufficientEscrow");
      const escrow = EscrowRecord.parse(bytes);
      if (amount > BigInt(escrow.balance)) fail("billing", "EInsufficientEscrow");
      const updated = { ...escrow, balance: (BigInt(escrow.balance) - amount).toString() };
      writeEscrow(ctx, cluster.id, cap.namespace, updated);
      ctx.payCoin(ctx.sender, amount);
      emitEscrow(scope, cluster.id, cap.namespace, ESCROW_ACTION.withdrawn, amount, updated, 0n);
    }),
    report_usage: entry(packageId, "report_usage", (scope) => {
      const { ctx, args, fail } = scope;
      const clusterArg = args.object("cluster");
      const cluster = readCluster(clusterArg);
      const period = args.u64("period");
      const start = args.u64("period_start_ms");
      const end = args.u64("period_end_ms");
      const part = args.u64("part");
      const parts = args.u64("parts");
      const namespaces = args.strings("namespaces");
      const namespaceUsage = args.bigints("namespace_usage");
      const nodeIds = args.strings("node_ids");
      const nodeUsage = args.bigints("node_usage");
      if (!(start < end && end <= BigInt(ctx.clockMs))) fail("billing", "EInvalidPeriod");
      if (
        namespaceUsage.length !== namespaces.length * 3 ||
        nodeUsage.length !== nodeIds.length * 3
      ) {
        fail("billing", "EUsageLengthMismatch");
      }
      if (part >= parts) fail("billing", "EInvalidPart");
      const ledger = readLedger(ctx, cluster.id);
      const reported = BigInt(ledger.reported_periods);
      if (period !== reported + 1n) fail("billing", "EPeriodOutOfOrder");
      if (reported !== 0n && start !== BigInt(ledger.last_period_end_ms)) {
        fail("billing", "EPeriodNotContiguous");
      }
      const pending = readPending(ctx, cluster.id);
      if (pending) {
        if (part !== BigInt(pending.next_part)) fail("billing", "EPartOutOfOrder");
        if (
          parts !== BigInt(pending.parts) ||
          start !== BigInt(pending.period_start_ms) ||
          end !== BigInt(pending.period_end_ms)
        ) {
          fail("billing", "EPartMismatch");
        }
      } else if (part !== 0n) {
        fail("billing", "EPartOutOfOrder");
      }
      const { timestampMs, sequence, signature } = signedArgs(scope);
      const message = signingBytes("usageReport", timestampMs, {
        cluster_id: cluster.id,
        sequence,
        period,
        period_start_ms: start,
        period_end_ms: end,
        part,
        parts,
        namespaces,
        namespace_usage: namespaceUsage,
        node_ids: nodeIds,
        node_usage: nodeUsage,
      });
      verifyEnclaveMessage(scope, cluster, message, timestampMs, sequence, signature);

      const prices = billingPrices(readPrices(ctx, cluster.id));
      let billed = 0n;
      let collected = 0n;
      namespaces.forEach((namespace, i) => {
        const charge = usageValueMist(prices, usageAt(namespaceUsage, i));
        // `(value as u64)` fails the transaction on chain (an arithmetic error, no code).
        if (charge > U64_MAX) throw new Error(`billing: a charge of ${charge} MIST overflows u64`);
        billed += charge;
        const escrow = readEscrow(ctx, cluster.id, namespace);
        const available = BigInt(escrow.balance);
        const taken = charge <= available ? charge : available;
        collected += taken;
        const debt = BigInt(escrow.debt_mist) + charge - taken;
        const suspend = debt > 0n && !escrow.suspended;
        const updated: EscrowValue = {
          balance: (available - taken).toString(),
          debt_mist: debt.toString(),
          suspended: escrow.suspended || suspend,
        };
        writeEscrow(ctx, cluster.id, namespace, updated);
        emitEscrow(scope, cluster.id, namespace, ESCROW_ACTION.charged, charge, updated, period);
        if (suspend) {
          emitEscrow(scope, cluster.id, namespace, ESCROW_ACTION.suspended, debt, updated, period);
        }
      });
      // Only registered workers earn.
      const values = nodeIds.map((nodeId, j) =>
        ctx.getField(cluster.id, workerKey(nodeId))
          ? usageValueMist(prices, usageAt(nodeUsage, j))
          : 0n,
      );
      const sofar: PendingValue = {
        period: String(period),
        parts: String(parts),
        next_part: String(part + 1n),
        period_start_ms: String(start),
        period_end_ms: String(end),
        billed_mist: String(BigInt(pending?.billed_mist ?? 0) + billed),
        collected: String(BigInt(pending?.collected ?? 0) + collected),
        node_ids: [...(pending?.node_ids ?? []), ...nodeIds],
        node_values: [...(pending?.node_values ?? []), ...values.map(String)],
      };
      if (part + 1n < parts) {
        ctx.setField(
          cluster.id,
          billingPendingKey(),
          PendingReportRecord.serialize(sofar).toBytes(),
        );
        return;
      }
      if (pending) ctx.removeField(cluster.id, billingPendingKey());
      ctx.setField(
        cluster.id,
        billingLedgerKey(),
        BillingLedgerRecord.serialize({
          reported_periods: period,
          last_period_end_ms: end,
        }).toBytes(),
      );
      const periodCollected = BigInt(sofar.collected);
      const split = splitCollection(
        periodCollected,
        prices.treasuryShareBps,
        sofar.node_values.map(BigInt),
      );
      sofar.node_ids.forEach((nodeId, j) => {
        const share = split.workerShares[j] ?? 0n;
        if (share === 0n) return;
        const balance = readEarnings(ctx, cluster.id, nodeId) + share;
        ctx.setField(cluster.id, earningsKey(nodeId), bcs.u64().serialize(balance).toBytes());
        emitEarnings(scope, cluster.id, nodeId, EARNINGS_ACTION.credited, share, balance, period);
      });
      cluster.treasury = (BigInt(cluster.treasury) + split.treasuryMist).toString();
      writeCluster(clusterArg, cluster);
      ctx.emit(
        "events",
        "UsageReportedEvent",
        UsageReportedEvent.serialize({
          cluster_id: cluster.id,
          period,
          period_start_ms: start,
          period_end_ms: end,
          billed_mist: BigInt(sofar.billed_mist),
          collected_mist: periodCollected,
          workers_mist: split.workersMist,
          treasury_mist: split.treasuryMist,
          sequence,
        }).toBytes(),
      );
    }),
    claim_earnings: entry(packageId, "claim_earnings", (scope) => {
      const { ctx, args, fail } = scope;
      const cluster = readCluster(args.object("cluster"));
      const cap = WorkerCapObject.parse(args.object("cap").contents());
      if (cap.cluster_id !== cluster.id) fail("billing", "EWrongWorkerCap");
      const amount = readEarnings(ctx, cluster.id, cap.node_id);
      if (amount === 0n) fail("billing", "ENothingToClaim");
      ctx.setField(cluster.id, earningsKey(cap.node_id), bcs.u64().serialize(0n).toBytes());
      ctx.payCoin(ctx.sender, amount);
      emitEarnings(scope, cluster.id, cap.node_id, EARNINGS_ACTION.claimed, amount, 0n, 0n);
    }),
    cpu_core_hour_mist: price("cpu_core_hour_mist"),
    memory_gib_hour_mist: price("memory_gib_hour_mist"),
    storage_gib_hour_mist: price("storage_gib_hour_mist"),
    treasury_share_bps: price("treasury_share_bps"),
    reported_periods: read(bcs.u64(), (ctx, id) => readLedger(ctx, id).reported_periods),
    last_period_end_ms: read(bcs.u64(), (ctx, id) => readLedger(ctx, id).last_period_end_ms),
    report_parts_done: read(bcs.u64(), (ctx, id) => readPending(ctx, id)?.next_part ?? "0"),
    escrow_balance_mist: read(
      bcs.u64(),
      (ctx, id, namespace) => readEscrow(ctx, id, namespace).balance,
      "namespace",
    ),
    escrow_debt_mist: read(
      bcs.u64(),
      (ctx, id, namespace) => readEscrow(ctx, id, namespace).debt_mist,
      "namespace",
    ),
    is_suspended: read(
      bcs.bool(),
      (ctx, id, namespace) => readEscrow(ctx, id, namespace).suspended,
      "namespace",
    ),
    earnings_mist: read(bcs.u64(), (ctx, id, nodeId) => readEarnings(ctx, id, nodeId), "node_id"),
  };
}
