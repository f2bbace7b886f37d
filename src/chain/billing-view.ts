import { bcs } from "@mysten/sui/bcs";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { Transaction } from "@mysten/sui/transactions";
import type { BillingPrices } from "../protocol/index.ts";
import { ChainError } from "./errors.ts";

/** A namespace's escrow as `billing::escrow_*` and `is_suspended` read it. */
export interface EscrowView {
  readonly balanceMist: bigint;
  readonly debtMist: bigint;
  readonly suspended: boolean;
}

/** The cluster's billing state as the package's read-only accessors give it. */
export interface BillingView {
  readonly prices: BillingPrices;
  readonly reportedPeriods: bigint;
  readonly lastPeriodEndMs: bigint;
  /** Parts of period `reportedPeriods + 1` already on chain (`billing::report_parts_done`). */
  readonly reportPartsDone: bigint;
  readonly escrows: ReadonlyMap<string, EscrowView>;
  readonly earnings: ReadonlyMap<string, bigint>;
}

export interface BillingViewQuery {
  readonly namespaces?: readonly string[];
  readonly nodeIds?: readonly string[];
}

const u64 = (bytes: Uint8Array) => BigInt(bcs.u64().parse(bytes));

/**
 * Escrows read per simulated transaction: three commands each, under Sui's 1,024 commands
 * of a programmable transaction (`max_programmable_tx_commands`) with the scalars.
 */
const NAMESPACES_PER_READ = 300;
const NODES_PER_READ = 900;

/**
 * Reads prices, the report ledger and the asked escrows and earnings through simulated
 * transactions of `billing::` accessors (nothing is executed, no gas is spent): one, or
 * one per 300 namespaces / 900 nodes. Billing records are dynamic fields; reading them
 * through the package's own accessors works the same on a full node and on the devnet.
 * `sender` is any address (the simulation's).
 */
export async function readBillingView(
  client: SuiGrpcClient,
  packageId: string,
  clusterId: string,
  sender: string,
  query: BillingViewQuery = {},
  signal?: AbortSignal,
): Promise<BillingView> {
  const namespaces = query.namespaces ?? [];
  const nodeIds = query.nodeIds ?? [];
  const batches = Math.max(
    1,
    Math.ceil(namespaces.length / NAMESPACES_PER_READ),
    Math.ceil(nodeIds.length / NODES_PER_READ),
  );
  if (batches === 1) return readBillingBatch(client, packageId, clusterId, sender, query, signal);
  const views: BillingView[] = [];
  for (let i = 0; i < batches; i++) {
    const batch = {
      namespaces: namespaces.slice(i * NAMESPACES_PER_READ, (i + 1) * NAMESPACES_PER_READ),
      nodeIds: nodeIds.slice(i * NODES_PER_READ, (i + 1) * NODES_PER_READ),
    };
    views.push(await readBillingBatch(client, packageId, clusterId, sender, batch, signal));
  }
  const [first] = views as [BillingView];
  return {
    ...first,
    escrows: new Map(views.flatMap((view) => [...view.escrows])),
    earnings: new Map(views.flatMap((view) => [...view.earnings])),
  };
}

async function readBillingBatch(
  client: SuiGrpcClient,
  packageId: string,
  clusterId: string,
  sender: string,
  query: BillingViewQuery,
  signal?: AbortSignal,
): Promise<BillingView> {
  const namespaces = query.namespaces ?? [];
  const nodeIds = query.nodeIds ?? [];
  const tx = new Transaction();
  tx.setSender(sender);
  const read = (fn: string, key?: string) =>
    tx.moveCall({
      target: `${packageId}::billing::${fn}`,
      arguments:
        key === undefined
          ? [tx.object(clusterId)]
          : [tx.object(clusterId), tx.pure(bcs.string().serialize(key).toBytes())],
    });
  const scalar = [
    "cpu_core_hour_mist",
    "memory_gib_hour_mist",
    "storage_gib_hour_mist",
    "treasury_share_bps",
    "reported_periods",
    "last_period_end_ms",
    "report_parts_done",
  ];
  for (const fn of scalar) read(fn);
  for (const namespace of namespaces) {
    read("escrow_balance_mist", namespace);
    read("escrow_debt_mist", namespace);
    read("is_suspended", namespace);
  }
  for (const nodeId of nodeIds) read("earnings_mist", nodeId);
  const simulated = await client.simulateTransaction({
    transaction: tx,
    include: { commandResults: true },
    ...(signal ? { signal } : {}),
  });
  if (simulated.$kind === "FailedTransaction") {
    throw new ChainError(
      "CHAIN_OBJECT_MISSING",
      `cannot read the billing state of cluster ${clusterId}: ${JSON.stringify(simulated.FailedTransaction.status)}`,
    );
  }
  const results = (simulated.commandResults ?? []).map((result) => {
    const value = result.returnValues[0]?.bcs;
    if (!value) throw new ChainError("CHAIN_OBJECT_MISSING", "a billing accessor returned nothing");
    return value;
  });
  let next = 0;
  const take = () => results[next++] as Uint8Array;
  const [cpu, memory, storage, share, reported, lastEnd, partsDone] = scalar.map(() => u64(take()));
  const escrows = new Map<string, EscrowView>();
  for (const namespace of namespaces) {
    escrows.set(namespace, {
      balanceMist: u64(take()),
      debtMist: u64(take()),
      suspended: bcs.bool().parse(take()),
    });
  }
  const earnings = new Map<string, bigint>();
  for (const nodeId of nodeIds) earnings.set(nodeId, u64(take()));
  return {
    prices: {
      cpuCoreHourMist: cpu ?? 0n,
      memoryGibHourMist: memory ?? 0n,
      storageGibHourMist: storage ?? 0n,
      treasuryShareBps: share ?? 0n,
    },
    reportedPeriods: reported ?? 0n,
    lastPeriodEndMs: lastEnd ?? 0n,
    reportPartsDone: partsDone ?? 0n,
    escrows,
    earnings,
  };
}
