import { DEFAULT_LIST_LIMIT } from "../../k8s/resources.ts";
import { LIMITS } from "../../protocol/index.ts";

/** Compute or memory quantities, as Kubernetes writes them (`100m`, `128Mi`). */
export interface ResourceQuantities {
  cpu: string;
  memory: string;
}

/** Tunable limits of admission. Every field has a default in `DEFAULT_ADMISSION_POLICY`. */
export interface AdmissionPolicy {
  /** Largest payload accepted, in bytes. */
  maxManifestBytes: number;
  /** Deepest nesting of mappings and sequences (the top-level mapping is depth 1). */
  maxDepth: number;
  /** YAML aliases (`*name`) allowed in one payload; each is expanded once and counted. */
  maxAliases: number;
  /** Requests given to a container that names neither a request nor a limit. */
  defaultRequests: ResourceQuantities;
  /** Limits given to a container that names neither a request nor a limit. */
  defaultLimits: ResourceQuantities;
  /**
   * The cluster's apps domain: namespace `team-a` may route Ingress hosts `team-a.<domain>`
   * and `<anything>.team-a.<domain>`, nothing else. Lowercase DNS name, no trailing dot.
   */
  appsDomain: string;
  /**
   * PriorityClasses tenant pods may name (the cluster operator creates them). Empty: none.
   * `system-*` classes are refused even when listed.
   */
  allowedPriorityClasses: readonly string[];
  /** Most items one list request returns; a tenant's `limit` may only lower it. */
  maxListItems: number;
}

export const DEFAULT_ADMISSION_POLICY: Readonly<AdmissionPolicy> = Object.freeze({
  // The chain refuses anything larger, so a bigger payload here means a forged event.
  maxManifestBytes: LIMITS.maxPayloadBytes,
  // Real manifests stay below 16 (a CronJob's pod affinity is about 14 deep).
  maxDepth: 32,
  // Aliases have no use in a Kubernetes manifest and are the tool of entity-expansion bombs.
  maxAliases: 0,
  defaultRequests: Object.freeze({ cpu: "100m", memory: "128Mi" }),
  defaultLimits: Object.freeze({ cpu: "500m", memory: "256Mi" }),
  appsDomain: "apps.k8s-daas.local",
  allowedPriorityClasses: Object.freeze([]),
  maxListItems: DEFAULT_LIST_LIMIT,
});

/** Fills what the caller left out with the defaults. */
export function resolvePolicy(policy: Partial<AdmissionPolicy> | undefined): AdmissionPolicy {
  return { ...DEFAULT_ADMISSION_POLICY, ...policy };
}
