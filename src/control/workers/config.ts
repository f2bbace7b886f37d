import { WorkerControlError } from "./errors.ts";

/**
 * How nautilus-control manages worker nodes. Read from `K8S_DAAS_WORKERS_*` environment
 * variables over these defaults, then overridden by the caller (tests, the CLI).
 */
export interface WorkerControlConfig {
  /** Admit, watch and slash workers at all. */
  enabled: boolean;
  /**
   * Tenant pods run only on active workers' nodes. Off by default: a cluster without worker
   * nodes (the embedded test cluster) would leave every tenant pod Pending.
   */
  placeOnWorkers: boolean;
  /** Heartbeat periods (the cluster's on-chain period) a worker may miss before it is slashed. */
  missedPeriods: number;
  /** How often liveness is checked against the chain's clock. */
  livenessIntervalMs: number;
  /** How often `report_cluster_state` is posted; 0 turns it off. */
  stateReportIntervalMs: number;
  /** Lifetime of a worker's bootstrap token (it only has to last until the worker joins). */
  tokenTtlMs: number;
  /** Extra admission floor over the chain's minimum stake (0: the chain's minimum suffices). */
  minStakeMist: bigint;
  /** Where the join endpoint listens (simulated workers present their token there). */
  joinHost: string;
  /** 0 picks a free port. */
  joinPort: number;
  /** The URL put into credentials; default `http://<joinHost>:<port>`. */
  joinUrl: string | undefined;
  /** The API server URL put into credentials; default the admin kubeconfig's server. */
  apiServerUrl: string | undefined;
  /** Capacity of the simulated (KWOK) node created for a worker. */
  nodeResources: { cpu: string; memory: string; pods: string };
}

export const DEFAULT_WORKER_CONFIG: WorkerControlConfig = {
  enabled: true,
  placeOnWorkers: false,
  missedPeriods: 3,
  livenessIntervalMs: 1_000,
  stateReportIntervalMs: 300_000,
  tokenTtlMs: 15 * 60_000,
  minStakeMist: 0n,
  joinHost: "127.0.0.1",
  joinPort: 0,
  joinUrl: undefined,
  apiServerUrl: undefined,
  nodeResources: { cpu: "4", memory: "16Gi", pods: "110" },
};

const ENV: Partial<Record<keyof WorkerControlConfig, string>> = {
  enabled: "K8S_DAAS_WORKERS_ENABLED",
  placeOnWorkers: "K8S_DAAS_WORKERS_PLACE_PODS",
  missedPeriods: "K8S_DAAS_WORKERS_MISSED_PERIODS",
  livenessIntervalMs: "K8S_DAAS_WORKERS_LIVENESS_INTERVAL_MS",
  stateReportIntervalMs: "K8S_DAAS_WORKERS_STATE_REPORT_INTERVAL_MS",
  tokenTtlMs: "K8S_DAAS_WORKERS_TOKEN_TTL_MS",
  minStakeMist: "K8S_DAAS_WORKERS_MIN_STAKE_MIST",
  joinHost: "K8S_DAAS_WORKERS_JOIN_HOST",
  joinPort: "K8S_DAAS_WORKERS_JOIN_PORT",
  joinUrl: "K8S_DAAS_WORKERS_JOIN_URL",
  apiServerUrl: "K8S_DAAS_WORKERS_API_SERVER_URL",
};

/** Defaults, then the environment, then `overrides`; every bad value is named at once. */
export function resolveWorkerConfig(
  overrides: Partial<WorkerControlConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): WorkerControlConfig {
  const problems: string[] = [];
  const config: WorkerControlConfig = { ...DEFAULT_WORKER_CONFIG };
  const raw = (key: keyof WorkerControlConfig) => {
    const name = ENV[key];
    const value = name ? env[name] : undefined;
    return value === undefined || value === "" ? undefined : { name: name as string, value };
  };
  for (const key of ["enabled", "placeOnWorkers"] as const) {
    const found = raw(key);
    if (!found) continue;
    if (found.value !== "true" && found.value !== "false")
      problems.push(`${found.name} must be true or false, got "${found.value}"`);
    else config[key] = found.value === "true";
  }
  const numbers = [
    ["missedPeriods", 1, 1_000],
    ["livenessIntervalMs", 10, 3_600_000],
    ["stateReportIntervalMs", 0, 86_400_000],
    ["tokenTtlMs", 1_000, 86_400_000],
    ["joinPort", 0, 65_535],
  ] as const;
  for (const [key, min, max] of numbers) {
    const found = raw(key);
    if (!found) continue;
    const value = Number(found.value);
    if (!Number.isInteger(value) || value < min || value > max)
      problems.push(`${found.name} must be a whole number from ${min} to ${max}`);
    else config[key] = value;
  }
  const stake = raw("minStakeMist");
  if (stake) {
    if (!/^\d+$/.test(stake.value)) problems.push(`${stake.name} must be a whole number of MIST`);
    else config.minStakeMist = BigInt(stake.value);
  }
  for (const key of ["joinHost", "joinUrl", "apiServerUrl"] as const) {
    const found = raw(key);
    if (found) config[key] = found.value;
  }
  if (problems.length > 0) {
    throw new WorkerControlError(
      "WORKERS_CONFIG_INVALID",
      `invalid worker settings:\n  - ${problems.join("\n  - ")}`,
    );
  }
  return { ...config, ...overrides };
}
