// The bill before it lands: what the objects a deploy/apply/pod create adds cost per hour
// at the cluster's prices on chain, by the meter's own rule (`podRates`: requests, limits
// when requests are absent) times replicas, and PVC capacity.
import { readBillingView } from "../chain/index.ts";
import { DEFAULT_ADMISSION_POLICY } from "../control/admission/policy.ts";
import {
  type BillingPrices,
  bytesOf,
  type ContainerResources,
  hourlyCostMist,
  noRates,
  podRates,
  QuantityError,
  type ResourceRates,
} from "../protocol/index.ts";
import { sui } from "./output.ts";
import type { Session } from "./session.ts";

/** What one object adds while it runs. */
export interface ObjectCost {
  label: string;
  /** Pods it runs at once (1 for a Pod or a claim). */
  replicas: number;
  /** What it holds at once, all replicas together. */
  rates: ResourceRates;
  hourlyMist: bigint;
  /** Why the figure is an estimate (a CronJob only costs while a run runs). */
  note?: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value);
const count = (value: unknown, fallback: number) =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : fallback;

/**
 * Admission gives a container that names neither a request nor a limit for cpu or memory
 * the policy's default request (`restricted-defaults.ts`), so that is what the meter sees.
 */
function admittedContainers(spec: unknown): { resources: ContainerResources }[] {
  const containers = at(spec, "containers");
  if (!Array.isArray(containers)) return [];
  return containers.map((container) => {
    const requests = { ...(at(container, "resources", "requests") as Json | undefined) };
    const limits = { ...(at(container, "resources", "limits") as Json | undefined) };
    for (const resource of ["cpu", "memory"] as const) {
      if (requests[resource] === undefined && limits[resource] === undefined)
        requests[resource] = DEFAULT_ADMISSION_POLICY.defaultRequests[resource];
    }
    const strings = (list: Json) =>
      Object.fromEntries(Object.entries(list).map(([key, value]) => [key, String(value)]));
    return { resources: { requests: strings(requests), limits: strings(limits) } };
  });
}

function times(rates: ResourceRates, factor: number): ResourceRates {
  const n = BigInt(factor);
  return {
    cpuMilliCores: rates.cpuMilliCores * n,
    memoryBytes: rates.memoryBytes * n,
    storageBytes: rates.storageBytes * n,
  };
}

/** A claim's requested storage (billed at its bound capacity, which is at least this). */
function claimBytes(claim: unknown): bigint {
  const storage = at(claim, "spec", "resources", "requests", "storage");
  if (storage === undefined) return 0n;
  try {
    return bytesOf(String(storage));
  } catch (error) {
    if (error instanceof QuantityError) return 0n;
    throw error;
  }
}

/**
 * What `object` holds while it runs: a Pod its containers; a Deployment, ReplicaSet,
 * ReplicationController or StatefulSet `replicas` (default 1) of its template, a
 * StatefulSet also its claim templates per replica; a Job `parallelism` (default 1) pods,
 * a CronJob the same while a run runs; a PersistentVolumeClaim its requested storage.
 * Anything else holds nothing billed (undefined).
 */
export function objectRates(
  kind: string,
  object: Json,
): { replicas: number; rates: ResourceRates; note?: string } | undefined {
  const spec = at(object, "spec");
  const pods = (template: unknown, replicas: number) => ({
    replicas,
    rates: times(podRates(admittedContainers(at(template, "spec"))), replicas),
  });
  switch (kind) {
    case "Pod":
      return { replicas: 1, rates: podRates(admittedContainers(spec)) };
    case "Deployment":
    case "ReplicaSet":
    case "ReplicationController":
      return pods(at(spec, "template"), count(at(spec, "replicas"), 1));
    case "StatefulSet": {
      const replicas = count(at(spec, "replicas"), 1);
      const result = pods(at(spec, "template"), replicas);
      const templates = at(spec, "volumeClaimTemplates");
      const perReplica = Array.isArray(templates)
        ? templates.reduce<bigint>((sum, claim) => sum + claimBytes(claim), 0n)
        : 0n;
      result.rates.storageBytes += perReplica * BigInt(replicas);
      return result;
    }
    case "Job":
      return pods(at(spec, "template"), count(at(spec, "parallelism"), 1));
    case "CronJob": {
      const job = at(spec, "jobTemplate", "spec");
      return {
        ...pods(at(job, "template"), count(at(job, "parallelism"), 1)),
        note: "while a run runs",
      };
    }
    case "PersistentVolumeClaim":
      return { replicas: 1, rates: { ...noRates(), storageBytes: claimBytes(object) } };
    default:
      return undefined;
  }
}

/** The hourly cost of each object that holds something billed, at `prices`. */
export function estimateCosts(
  prices: BillingPrices,
  objects: readonly { kind: string; label: string; object: Json }[],
): ObjectCost[] {
  return objects.flatMap(({ kind, label, object }) => {
    const held = objectRates(kind, object);
    if (!held) return [];
    return [{ label, ...held, hourlyMist: hourlyCostMist(prices, held.rates) }];
  });
}

/** "3 × 250m CPU, 128Mi memory, 1Gi storage" for a line of the estimate. */
function describeRates({ replicas, rates }: ObjectCost): string {
  const gib = (bytes: bigint) => `${Number((bytes * 1000n) / (1n << 30n)) / 1000}Gi`;
  const parts = [
    ...(rates.cpuMilliCores > 0n ? [`${rates.cpuMilliCores}m CPU`] : []),
    ...(rates.memoryBytes > 0n ? [`${gib(rates.memoryBytes)} memory`] : []),
    ...(rates.storageBytes > 0n ? [`${gib(rates.storageBytes)} storage`] : []),
  ];
  return `${replicas > 1 ? `${replicas} pods, ` : ""}${parts.join(", ") || "nothing billed"}`;
}

/** The lines printed before submitting; empty when nothing billed is added. */
export function costLines(costs: readonly ObjectCost[]): string[] {
  if (costs.length === 0) return [];
  const total = costs.reduce((sum, cost) => sum + cost.hourlyMist, 0n);
  return [
    `hourly cost of what this adds: ${sui(total)}/hour at the cluster's prices`,
    ...costs.map(
      (cost) =>
        `  ${cost.label}: ${sui(cost.hourlyMist)}/hour (${describeRates(cost)}${cost.note ? `, ${cost.note}` : ""})`,
    ),
  ];
}

/**
 * Prints the hourly cost of `objects` on standard error before they are submitted. Nothing
 * when the cluster sets no prices. The estimate is advice: when the prices cannot be read,
 * a warning says so and the command goes on.
 */
export async function printHourlyCost(
  session: Session,
  objects: readonly { kind: string; label: string; object: Json }[],
): Promise<void> {
  const { packageId, clusterId } = session.connection;
  let prices: BillingPrices;
  try {
    prices = (await readBillingView(session.client, packageId, clusterId, await session.address()))
      .prices;
  } catch (error) {
    process.stderr.write(
      `warning: cannot read the cluster's prices for a cost estimate: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return;
  }
  const priced =
    prices.cpuCoreHourMist > 0n || prices.memoryGibHourMist > 0n || prices.storageGibHourMist > 0n;
  if (!priced) return;
  const lines = costLines(estimateCosts(prices, objects));
  if (lines.length > 0) process.stderr.write(`${lines.join("\n")}\n`);
}
