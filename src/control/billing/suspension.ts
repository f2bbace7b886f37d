import { CONTENT_TYPE, type KubeApiClient } from "../../k8s/index.ts";

/**
 * On a workload the suspension scaled down: the replicas it had, so resuming restores
 * them. Kept on the object itself, so a restart of the control plane (or a lost data dir)
 * still knows what to give back.
 */
export const ANNOTATION_SUSPENDED_REPLICAS = "k8s-daas.io/suspended-replicas";
/** On a CronJob the suspension paused: it was not suspended before. */
export const ANNOTATION_SUSPENDED_CRONJOB = "k8s-daas.io/suspended-by-billing";

type Kube = Pick<KubeApiClient, "request">;

interface WorkloadItem {
  metadata?: {
    name?: string;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
  };
  spec?: { replicas?: number; suspend?: boolean };
}

/** Scalable workloads: Deployments, StatefulSets and ReplicaSets no Deployment owns. */
const SCALABLE = [
  "/apis/apps/v1/namespaces/{ns}/deployments",
  "/apis/apps/v1/namespaces/{ns}/statefulsets",
  "/apis/apps/v1/namespaces/{ns}/replicasets",
];
const CRONJOBS = "/apis/batch/v1/namespaces/{ns}/cronjobs";

async function list(kube: Kube, path: string, signal?: AbortSignal): Promise<WorkloadItem[]> {
  const { body } = await kube.request("GET", path, signal ? { signal } : {});
  return (body as { items?: WorkloadItem[] }).items ?? [];
}

function patch(kube: Kube, path: string, body: unknown, signal?: AbortSignal) {
  return kube.request("PATCH", path, {
    body,
    contentType: CONTENT_TYPE.mergePatch,
    ...(signal ? { signal } : {}),
  });
}

/**
 * Scales the namespace's workloads to zero and pauses its CronJobs, keeping every object
 * (and each one's replica count in an annotation). Idempotent: a workload already at zero
 * keeps the count it was suspended with. Bare Pods keep running (stopping them would delete
 * them); admission refuses new writes meanwhile. Returns how many objects it changed.
 */
export async function suspendWorkloads(
  kube: Kube,
  namespace: string,
  signal?: AbortSignal,
): Promise<number> {
  let changed = 0;
  for (const template of SCALABLE) {
    const path = template.replace("{ns}", namespace);
    for (const item of await list(kube, path, signal)) {
      const name = item.metadata?.name;
      const replicas = item.spec?.replicas ?? 1;
      if (!name || (item.metadata?.ownerReferences?.length ?? 0) > 0 || replicas === 0) continue;
      const saved = item.metadata?.annotations?.[ANNOTATION_SUSPENDED_REPLICAS];
      await patch(
        kube,
        `${path}/${name}`,
        {
          metadata: { annotations: { [ANNOTATION_SUSPENDED_REPLICAS]: saved ?? String(replicas) } },
          spec: { replicas: 0 },
        },
        signal,
      );
      changed++;
    }
  }
  const cronjobs = CRONJOBS.replace("{ns}", namespace);
  for (const item of await list(kube, cronjobs, signal)) {
    const name = item.metadata?.name;
    if (!name || item.spec?.suspend === true) continue;
    await patch(
      kube,
      `${cronjobs}/${name}`,
      {
        metadata: { annotations: { [ANNOTATION_SUSPENDED_CRONJOB]: "true" } },
        spec: { suspend: true },
      },
      signal,
    );
    changed++;
  }
  return changed;
}

/** Gives back what `suspendWorkloads` took: replica counts and CronJob schedules. */
export async function resumeWorkloads(
  kube: Kube,
  namespace: string,
  signal?: AbortSignal,
): Promise<number> {
  let changed = 0;
  for (const template of SCALABLE) {
    const path = template.replace("{ns}", namespace);
    for (const item of await list(kube, path, signal)) {
      const name = item.metadata?.name;
      const saved = item.metadata?.annotations?.[ANNOTATION_SUSPENDED_REPLICAS];
      if (!name || saved === undefined) continue;
      const replicas = Number.parseInt(saved, 10);
      await patch(
        kube,
        `${path}/${name}`,
        {
          metadata: { annotations: { [ANNOTATION_SUSPENDED_REPLICAS]: null } },
          spec: Number.isSafeInteger(replicas) && replicas >= 0 ? { replicas } : {},
        },
        signal,
      );
      changed++;
    }
  }
  const cronjobs = CRONJOBS.replace("{ns}", namespace);
  for (const item of await list(kube, cronjobs, signal)) {
    const name = item.metadata?.name;
    if (!name || item.metadata?.annotations?.[ANNOTATION_SUSPENDED_CRONJOB] === undefined) continue;
    await patch(
      kube,
      `${cronjobs}/${name}`,
      {
        metadata: { annotations: { [ANNOTATION_SUSPENDED_CRONJOB]: null } },
        spec: { suspend: false },
      },
      signal,
    );
    changed++;
  }
  return changed;
}
