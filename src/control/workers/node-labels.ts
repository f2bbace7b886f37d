import { clusterLabelValue } from "../../k8s/index.ts";

/** The worker's node id, on its Node (and on its bootstrap token Secret). */
export const LABEL_WORKER = "k8s-daas.io/worker";
/** Present ("true") while the worker is active and not cordoned: tenant pods go only there. */
export const LABEL_WORKER_ACTIVE = "k8s-daas.io/worker-active";
/** The owner's address does not fit a label value (66 characters): a hash for selection… */
export const LABEL_WORKER_OWNER = "k8s-daas.io/worker-owner";
/** …and the full address as an annotation. */
export const ANNOTATION_WORKER_OWNER = "k8s-daas.io/worker-owner";
export const LABEL_STAKE_TIER = "k8s-daas.io/stake-tier";

export type StakeTier = "standard" | "high" | "premium";

/** Tier by multiples of the cluster's minimum stake: < 2× standard, < 10× high, else premium. */
export function stakeTier(stakeMist: bigint, minStakeMist: bigint): StakeTier {
  const floor = minStakeMist > 0n ? minStakeMist : 1n;
  if (stakeMist >= floor * 10n) return "premium";
  if (stakeMist >= floor * 2n) return "high";
  return "standard";
}

/** The owner address as a label value (a SHA-256 prefix: addresses exceed 63 characters). */
export function ownerLabelValue(owner: string): string {
  return clusterLabelValue(owner);
}
