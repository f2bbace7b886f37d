// The arithmetic of `billing::report_usage` (move/sources/billing.move), so clients can
// show a bill before it lands and tests can check a charge to the MIST. All integer: each
// resource's charge is rounded down on its own, the treasury's share is rounded down, each
// worker's share of the pool is rounded down, and every remainder goes to the treasury.
// Also what a pod is billed for while it runs (`podRates`), the one rule the meter and the
// CLI's cost estimate share.
import { bytesOf, cpuMilliCores, QuantityError } from "./quantities.ts";

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

/** Resources held at one instant: CPU in milli-cores, memory and storage in bytes. */
export interface ResourceRates {
  cpuMilliCores: bigint;
  memoryBytes: bigint;
  storageBytes: bigint;
}

export const noRates = (): ResourceRates => ({
  cpuMilliCores: 0n,
  memoryBytes: 0n,
  storageBytes: 0n,
});

/** A container's `resources`, as a manifest or the API server writes them. */
export interface ContainerResources {
  readonly requests?: { readonly [name: string]: string | undefined };
  readonly limits?: { readonly [name: string]: string | undefined };
}

/**
 * What a running pod is billed for per instant: per container, the CPU and memory it
 * requests, or its limit when it sets no request for that resource (Kubernetes then uses
 * the limit as the request). Init containers and pod overhead are not billed. A quantity
 * Kubernetes would not accept counts as 0 and is passed to `onInvalid`.
 */
export function podRates(
  containers: readonly { readonly resources?: ContainerResources }[],
  onInvalid: (quantity: string) => void = () => {},
): ResourceRates {
  const read = (quantity: string | undefined, parse: (q: string) => bigint) => {
    if (quantity === undefined) return 0n;
    try {
      return parse(quantity);
    } catch (error) {
      if (!(error instanceof QuantityError)) throw error;
      onInvalid(quantity);
      return 0n;
    }
  };
  const rates = noRates();
  for (const container of containers) {
    const { requests = {}, limits = {} } = container.resources ?? {};
    rates.cpuMilliCores += read(requests.cpu ?? limits.cpu, cpuMilliCores);
    rates.memoryBytes += read(requests.memory ?? limits.memory, bytesOf);
  }
  return rates;
}

const MS_PER_HOUR = 3_600_000n;

/** What holding `rates` for one hour costs at `prices`, MIST, rounded as `report_usage` rounds. */
export function hourlyCostMist(prices: BillingPrices, rates: ResourceRates): bigint {
  return usageValueMist(prices, {
    cpuMilliCoreMs: rates.cpuMilliCores * MS_PER_HOUR,
    memoryByteMs: rates.memoryBytes * MS_PER_HOUR,
    storageByteMs: rates.storageBytes * MS_PER_HOUR,
  });
}
