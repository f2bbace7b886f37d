/**
 * How nautilus-control meters usage and reports it. Read from `K8S_DAAS_BILLING_*`
 * environment variables over these defaults, then overridden by the caller (tests).
 */
export interface BillingConfig {
  /** Meter, report and enforce suspension at all. */
  enabled: boolean;
  /** Length of a billing period, ms (the local stack uses minutes); one usage report each. */
  periodMs: number;
  /** How often running pods and bound claims are sampled, ms. */
  sampleIntervalMs: number;
  /** A sample bills at most this far back: time nobody watched (the control plane down) is not billed. */
  maxGapMs: number;
  /** How often escrows are read for suspensions and top-ups, ms. */
  suspensionCheckMs: number;
}

export const DEFAULT_BILLING_CONFIG: BillingConfig = {
  enabled: true,
  periodMs: 3_600_000,
  sampleIntervalMs: 10_000,
  maxGapMs: 30_000,
  suspensionCheckMs: 30_000,
};

const ENV: Record<keyof BillingConfig, string> = {
  enabled: "K8S_DAAS_BILLING_ENABLED",
  periodMs: "K8S_DAAS_BILLING_PERIOD_MS",
  sampleIntervalMs: "K8S_DAAS_BILLING_SAMPLE_MS",
  maxGapMs: "K8S_DAAS_BILLING_MAX_GAP_MS",
  suspensionCheckMs: "K8S_DAAS_BILLING_SUSPENSION_CHECK_MS",
};

/** Thrown for a billing setting out of range; names every bad value at once. */
export class BillingConfigError extends Error {
  readonly code = "BILLING_CONFIG_INVALID";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid billing settings: ${problems.join("; ")}`);
    this.name = "BillingConfigError";
    this.problems = problems;
  }
}

/** Defaults, then the environment, then `overrides`. */
export function resolveBillingConfig(
  overrides: Partial<BillingConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): BillingConfig {
  const config: BillingConfig = { ...DEFAULT_BILLING_CONFIG };
  const problems: string[] = [];
  const enabled = env[ENV.enabled];
  if (enabled === "true" || enabled === "false") config.enabled = enabled === "true";
  else if (enabled !== undefined && enabled !== "")
    problems.push(`${ENV.enabled} must be true or false, got ${enabled}`);
  for (const [key, name] of Object.entries(ENV) as [keyof typeof ENV, string][]) {
    if (key === "enabled") continue;
    const value = env[name];
    if (value === undefined || value === "") continue;
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number <= 0) {
      problems.push(`${name} must be a positive integer (ms), got ${value}`);
    } else {
      config[key] = number;
    }
  }
  Object.assign(config, overrides);
  for (const key of Object.keys(ENV) as (keyof typeof ENV)[]) {
    if (key === "enabled") continue;
    if (!Number.isSafeInteger(config[key]) || config[key] <= 0)
      problems.push(`${key} must be a positive integer (ms)`);
  }
  if (problems.length > 0) throw new BillingConfigError(problems);
  return config;
}
