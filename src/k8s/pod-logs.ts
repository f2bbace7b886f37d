import type { IncomingMessage } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import { impersonatingConfig } from "./impersonation.ts";
import { tenantUser } from "./labels.ts";
import { openApiStream } from "./stream-client.ts";

/** What `pods/log` offers a tenant (the API server's PodLogOptions we pass through). */
export interface PodLogOptions {
  readonly container?: string;
  readonly follow?: boolean;
  readonly previous?: boolean;
  /** Only the last N lines. */
  readonly tailLines?: number;
  /** Only lines newer than this many seconds. */
  readonly sinceSeconds?: number;
  readonly timestamps?: boolean;
}

/**
 * Opens a pod's log as the namespace's tenant ServiceAccount (RBAC decides, not us): a
 * readable body of raw log bytes; with `follow` it stays open while the container writes.
 */
export function openPodLog(
  admin: KubeConfig,
  namespace: string,
  pod: string,
  options: PodLogOptions,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
  return openApiStream(
    impersonatingConfig(admin, tenantUser(namespace)),
    path,
    {
      container: options.container,
      follow: options.follow ? "true" : undefined,
      previous: options.previous ? "true" : undefined,
      tailLines: options.tailLines === undefined ? undefined : String(options.tailLines),
      sinceSeconds: options.sinceSeconds === undefined ? undefined : String(options.sinceSeconds),
      timestamps: options.timestamps ? "true" : undefined,
    },
    signal,
  );
}
