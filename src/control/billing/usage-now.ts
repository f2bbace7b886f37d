// A namespace's bill as it grows: what the open period has metered so far and what it will
// charge at its end if what runs now keeps running (`GET /v1/namespaces/<ns>/usage`).
import {
  type BillingPrices,
  hourlyCostMist,
  type ResourceRates,
  type ResourceUsage,
  usageValueMist,
} from "../../protocol/index.ts";
import type { PeriodRow } from "./period-store.ts";

export interface OpenPeriodUsage {
  readonly namespace: string;
  readonly period: PeriodRow;
  /** The last sample's time: usage is metered up to here. */
  readonly meteredUntilMs: number;
  readonly usage: ResourceUsage;
  /** What the namespace holds now (the last sample). */
  readonly rates: ResourceRates;
  readonly prices: BillingPrices;
}

/** Thrown while the meter cannot answer yet (no open period, prices never read). */
export class BillingNotReadyError extends Error {
  readonly code = "BILLING_NOT_READY";
  constructor(message: string) {
    super(message);
    this.name = "BillingNotReadyError";
  }
}

/**
 * The charge so far (`report_usage`'s rounding on the usage metered so far), the hourly
 * cost of what runs now, and the projected charge of the period: the usage so far plus
 * the current rates until the period's end, priced once (as the chain will price it).
 */
export function projectCharge(open: OpenPeriodUsage) {
  const remainingMs = BigInt(Math.max(0, open.period.endMs - open.meteredUntilMs));
  const projected: ResourceUsage = {
    cpuMilliCoreMs: open.usage.cpuMilliCoreMs + open.rates.cpuMilliCores * remainingMs,
    memoryByteMs: open.usage.memoryByteMs + open.rates.memoryBytes * remainingMs,
    storageByteMs: open.usage.storageByteMs + open.rates.storageBytes * remainingMs,
  };
  return {
    chargeSoFarMist: usageValueMist(open.prices, open.usage),
    hourlyMist: hourlyCostMist(open.prices, open.rates),
    projectedChargeMist: usageValueMist(open.prices, projected),
  };
}

/** The JSON answer of the usage route (MIST and usage as decimal strings). */
export function usageDocument(open: OpenPeriodUsage) {
  /** The same keys, values as decimal strings (JSON has no bigint). */
  const text = <T extends object>(record: T) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, String(value)])) as {
      [K in keyof T]: string;
    };
  const charge = projectCharge(open);
  return {
    namespace: open.namespace,
    period: open.period.period,
    periodStartMs: open.period.startMs,
    periodEndMs: open.period.endMs,
    meteredUntilMs: open.meteredUntilMs,
    usage: text(open.usage),
    rates: text(open.rates),
    prices: text(open.prices),
    chargeSoFarMist: String(charge.chargeSoFarMist),
    hourlyMist: String(charge.hourlyMist),
    projectedChargeMist: String(charge.projectedChargeMist),
  };
}

export type UsageDocument = ReturnType<typeof usageDocument>;
