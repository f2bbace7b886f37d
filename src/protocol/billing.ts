// The arithmetic of `billing::report_usage` (move/sources/billing.move), so clients can
// show a bill before it lands and tests can check a charge to the MIST. All integer: each
// resource's charge is rounded down on its own, the treasury's share is rounded down, each
// worker's share of the pool is rounded down, and every remainder goes to the treasury.

/** `billing::Prices`: MIST per unit-hour, and the treasury's share in basis points. */
export interface BillingPrices {
  readonly cpuCoreHourMist: bigint;
  readonly memoryGibHourMist: bigint;
  readonly storageGibHourMist: bigint;
  readonly treasuryShareBps: bigint;
}

/** Usage over a period: CPU in milli-core-ms, memory and storage in byte-ms. */
export interface ResourceUsage {
  readonly cpuMilliCoreMs: bigint;
  readonly memoryByteMs: bigint;
  readonly storageByteMs: bigint;
}

/** `billing::BPS_DENOMINATOR`. */
export const BPS_DENOMINATOR = 10_000n;
/** `billing::CPU_UNITS_PER_HOUR`: milli-core-ms in a core-hour. */
export const CPU_UNITS_PER_HOUR = 3_600_000_000n;
/** `billing::BYTE_MS_PER_GIB_HOUR`: byte-ms in a GiB-hour. */
export const BYTE_MS_PER_GIB_HOUR = 1_073_741_824n * 3_600_000n;

export const NO_USAGE: ResourceUsage = { cpuMilliCoreMs: 0n, memoryByteMs: 0n, storageByteMs: 0n };

/** `billing::usage_value`: the priced usage, MIST, each resource rounded down. */
export function usageValueMist(prices: BillingPrices, usage: ResourceUsage): bigint {
  return (
    (usage.cpuMilliCoreMs * prices.cpuCoreHourMist) / CPU_UNITS_PER_HOUR +
    (usage.memoryByteMs * prices.memoryGibHourMist) / BYTE_MS_PER_GIB_HOUR +
    (usage.storageByteMs * prices.storageGibHourMist) / BYTE_MS_PER_GIB_HOUR
  );
}

/** The three values per entry a usage vector of `report_usage` carries, in order. */
export function usageVector(usages: readonly ResourceUsage[]): bigint[] {
  return usages.flatMap((u) => [u.cpuMilliCoreMs, u.memoryByteMs, u.storageByteMs]);
}

/** Entry `index` of a usage vector (three values per entry). */
export function usageAt(vector: readonly bigint[], index: number): ResourceUsage {
  const at = (offset: number) => vector[index * 3 + offset] ?? 0n;
  return { cpuMilliCoreMs: at(0), memoryByteMs: at(1), storageByteMs: at(2) };
}

/** How a period's collection is split: per worker (in input order) and the treasury. */
export interface CollectionSplit {
  readonly workerShares: readonly bigint[];
  readonly workersMist: bigint;
  readonly treasuryMist: bigint;
}

/**
 * Splits `collectedMist` as `report_usage` does: the treasury's share first, the rest in
 * proportion to `workerValues` (the priced usage each worker's node served; 0 for a node
 * id with no worker record), remainders to the treasury.
 */
export function splitCollection(
  collectedMist: bigint,
  treasuryShareBps: bigint,
  workerValues: readonly bigint[],
): CollectionSplit {
  const treasuryCut = (collectedMist * treasuryShareBps) / BPS_DENOMINATOR;
  const pool = collectedMist - treasuryCut;
  const total = workerValues.reduce((sum, value) => sum + value, 0n);
  const workerShares = workerValues.map((value) => (total > 0n ? (pool * value) / total : 0n));
  const workersMist = workerShares.reduce((sum, share) => sum + share, 0n);
  return { workerShares, workersMist, treasuryMist: collectedMist - workersMist };
}
