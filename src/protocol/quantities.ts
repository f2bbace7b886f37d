// Kubernetes resource quantities ("250m", "1.5", "512Mi", "1e9", "2G") as exact integers:
// CPU in milli-cores, memory and storage in bytes. Rounded up, as Kubernetes rounds a
// request it cannot represent, so a tenant is never billed for less than it reserved.

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
/** Decimal suffixes as powers of ten. */
const DECIMAL: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** Thrown for a quantity Kubernetes would not have accepted. */
export class QuantityError extends Error {
  readonly code = "BILLING_QUANTITY_INVALID";
  constructor(quantity: string) {
    super(`not a Kubernetes quantity: ${JSON.stringify(quantity)}`);
    this.name = "QuantityError";
  }
}

/** `quantity × 10^scale`, rounded up (negative quantities are refused). */
function scaled(quantity: string, scale: number): bigint {
  const match = QUANTITY.exec(quantity.trim());
  if (!match || (match[2] === "" && (match[3] ?? "") === "") || match[1] === "-") {
    throw new QuantityError(quantity);
  }
  const fraction = match[3] ?? "";
  let numerator = BigInt(`${match[2] || "0"}${fraction}`);
  let exponent = scale - fraction.length;
  if (match[4]) exponent += Number(match[4].slice(1));
  const suffix = match[5] ?? "";
  const binary = BINARY[suffix];
  if (binary !== undefined) numerator *= binary;
  else exponent += DECIMAL[suffix] ?? 0;
  if (exponent >= 0) return numerator * 10n ** BigInt(exponent);
  const divisor = 10n ** BigInt(-exponent);
  return (numerator + divisor - 1n) / divisor;
}

/** A CPU quantity in milli-cores ("250m" → 250, "1.5" → 1500). */
export function cpuMilliCores(quantity: string): bigint {
  return scaled(quantity, 3);
}

/** A memory or storage quantity in bytes ("512Mi" → 536870912, "1G" → 10^9). */
export function bytesOf(quantity: string): bigint {
  return scaled(quantity, 0);
}
