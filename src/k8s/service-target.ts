import { HttpMethod, type KubeApiClient } from "./api-client.ts";
import { K8sError } from "./errors.ts";

// `port-forward svc/NAME PORT` as kubectl resolves it: the Service's selector picks its pods,
// one that is ready takes the connection, and the Service port's `targetPort` (a number, or
// a container port's name looked up in that pod) is the pod port forwarded to.

export interface ServiceTarget {
  readonly pod: string;
  readonly port: number;
}

interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
}

interface ServiceLike {
  metadata?: { name?: string };
  spec?: { selector?: Record<string, string>; ports?: ServicePort[] };
}

interface PodLike {
  metadata?: { name?: string; deletionTimestamp?: string; creationTimestamp?: string };
  spec?: { containers?: { ports?: { name?: string; containerPort?: number }[] }[] };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

/** The Service's selector as a label selector (`a=b,c=d`); throws when it has none. */
export function serviceSelector(service: unknown): string {
  const { metadata, spec } = service as ServiceLike;
  const selector = Object.entries(spec?.selector ?? {});
  if (selector.length === 0)
    throw new K8sError(
      "K8S_BAD_REQUEST",
      `service ${metadata?.name ?? ""} has no selector: no pods to forward to`,
    );
  return selector.map(([key, value]) => `${key}=${value}`).join(",");
}

/**
 * The pod and pod port a connection to `servicePort` of `service` goes to, among `pods` (the
 * selector's): the oldest ready one, not being deleted (kubectl takes the first it is given).
 * A missing Service port or no ready pod throws a `K8sError` saying which.
 */
export function pickServiceTarget(
  service: unknown,
  pods: readonly unknown[],
  servicePort: number,
): ServiceTarget {
  const { metadata, spec } = service as ServiceLike;
  const name = metadata?.name ?? "";
  const port = spec?.ports?.find((p) => p.port === servicePort);
  if (!port) {
    const offered = (spec?.ports ?? []).map((p) => p.port).join(", ");
    throw new K8sError(
      "K8S_BAD_REQUEST",
      `service ${name} has no port ${servicePort} (it has: ${offered || "none"})`,
    );
  }
  const ready = (pods as PodLike[])
    .filter(
      (pod) =>
        pod.metadata?.name &&
        !pod.metadata.deletionTimestamp &&
        pod.status?.phase === "Running" &&
        pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    )
    .sort((a, b) =>
      (a.metadata?.creationTimestamp ?? "").localeCompare(b.metadata?.creationTimestamp ?? ""),
    );
  const pod = ready[0];
  if (!pod?.metadata?.name)
    throw new K8sError("K8S_UNAVAILABLE", `service ${name} has no ready pod to forward to`);
  const target = port.targetPort ?? servicePort;
  if (typeof target === "number") return { pod: pod.metadata.name, port: target };
  // A number given as a string is a number; anything else names a container port.
  if (/^\d{1,5}$/.test(target)) return { pod: pod.metadata.name, port: Number(target) };
  const named = (pod.spec?.containers ?? [])
    .flatMap((container) => container.ports ?? [])
    .find((p) => p.name === target);
  if (!named?.containerPort)
    throw new K8sError(
      "K8S_BAD_REQUEST",
      `service ${name} targets port "${target}", which pod ${pod.metadata.name} does not name`,
    );
  return { pod: pod.metadata.name, port: named.containerPort };
}

/** Reads the Service and its pods with `client` (the tenant's), and picks the target. */
export async function resolveServiceTarget(
  client: KubeApiClient,
  namespace: string,
  service: string,
  servicePort: number,
): Promise<ServiceTarget> {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
  const { body } = await client.request(
    HttpMethod.GET,
    `${base}/services/${encodeURIComponent(service)}`,
  );
  const { body: list } = await client.request(HttpMethod.GET, `${base}/pods`, {
    query: { labelSelector: serviceSelector(body) },
  });
  return pickServiceTarget(body, (list as { items?: unknown[] }).items ?? [], servicePort);
}
