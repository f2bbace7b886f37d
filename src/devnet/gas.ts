// The devnet's gas schedule: simpler than Sui's, with the same structure (a reference price,
// a minimum and maximum budget, computation charged per command, storage per byte written),
// so clients that budget and select gas for Sui do the same here.

export const REFERENCE_GAS_PRICE = 1_000n;
export const MIN_BUDGET_UNITS = 1_000n;
export const MAX_GAS_BUDGET = 50_000_000_000n;
export const BASE_COMPUTATION_UNITS = 1_000n;
export const COMPUTATION_UNITS_PER_COMMAND = 100n;
export const STORAGE_PRICE_PER_BYTE = 760n;
export { MAX_PURE_ARGUMENT_BYTES } from "../protocol/constants.ts";
/** Sui's limit on a transaction's BCS size (`max_tx_size_bytes`). */
export const MAX_TRANSACTION_BYTES = 128 * 1024;

export function minimumBudget(price: bigint): bigint {
  return MIN_BUDGET_UNITS * price;
}

export function computationCost(price: bigint, commands: number): bigint {
  return price * (BASE_COMPUTATION_UNITS + COMPUTATION_UNITS_PER_COMMAND * BigInt(commands));
}

export function storageCost(bytesWritten: number): bigint {
  return STORAGE_PRICE_PER_BYTE * BigInt(bytesWritten);
}
