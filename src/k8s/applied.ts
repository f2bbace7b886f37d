import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiClient } from "./api-client.ts";
import { listObjects, tenantApiResource } from "./objects.ts";
import { requestIdOf, requestIdWrittenByUs } from "./request-id.ts";
import { TENANT_RESOURCES } from "./resources.ts";
import { type RetryPolicy, withRetry } from "./retry.ts";
import { listManagedNamespaces } from "./tenancy.ts";

// Which requests left a mark in the cluster: the request-id annotations on tenant objects.
// Reconciliation compares these with the requests the control plane has reported, to find
// work that was applied but never answered (a crash between the write and the result).
//
// An annotation counts only when our field manager wrote it (see `requestIdWrittenByUs`):
// controllers copy annotations (Deployment → ReplicaSet, pod templates → pods), and a
// tenant can put any annotation into a template.

export interface AppliedObject {
  readonly requestId: bigint;
  readonly namespace: string;
  /** Plural resource name, e.g. `deployments`. */
  readonly resource: string;
  readonly name: string;
  /** Being deleted (a delete request stamps the object before deleting it). */
  readonly terminating: boolean;
}

export interface FindAppliedOptions {
  /** Only these namespaces; default: every namespace labelled managed (of `clusterId`). */
  readonly namespaces?: readonly string[];
  readonly clusterId?: string;
  readonly signal?: AbortSignal;
  readonly retry?: RetryPolicy;
}

const WRITABLE = TENANT_RESOURCES.filter((type) => type.writable);

/** Every object in tenant namespaces carrying a request id written by the control plane. */
export async function findAppliedObjects(
  kc: KubeConfig,
  options: FindAppliedOptions = {},
): Promise<AppliedObject[]> {
  const client = new KubeApiClient(kc);
  const retry = { policy: options.retry, signal: options.signal };
  // Listing each kind cluster-wide costs one call per kind, whatever the tenant count.
  const scopes = options.namespaces ?? [undefined];
  const wanted = options.namespaces
    ? undefined
    : new Set(
        (
          await listManagedNamespaces(kc, {
            ...(options.clusterId !== undefined ? { clusterId: options.clusterId } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.retry ? { retry: options.retry } : {}),
          })
        ).map((found) => found.namespace),
      );
  const found: AppliedObject[] = [];
  for (const type of WRITABLE) {
    for (const namespace of scopes) {
      const { items } = await withRetry(
        (signal) => listObjects(client, tenantApiResource(type), namespace, { signal }),
        retry,
      );
      for (const item of items) {
        const metadata = item.metadata as {
          namespace?: string;
          name?: string;
          deletionTimestamp?: string;
        };
        const itemNamespace = metadata.namespace ?? "";
        if (wanted && !wanted.has(itemNamespace)) continue;
        const requestId = requestIdOf(item);
        if (requestId === undefined || !requestIdWrittenByUs(item)) continue;
        found.push({
          requestId,
          namespace: itemNamespace,
          resource: type.plural,
          name: metadata.name ?? "",
          terminating: metadata.deletionTimestamp !== undefined,
        });
      }
    }
  }
  return found.sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
}

/** The request ids `findAppliedObjects` sees, in `namespaces` or every managed namespace. */
export async function findAppliedRequestIds(
  kc: KubeConfig,
  namespaces?: readonly string[],
  options: Omit<FindAppliedOptions, "namespaces"> = {},
): Promise<Set<bigint>> {
  const objects = await findAppliedObjects(kc, {
    ...options,
    ...(namespaces ? { namespaces } : {}),
  });
  return new Set(objects.map((object) => object.requestId));
}
