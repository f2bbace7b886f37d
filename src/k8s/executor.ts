import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiClient } from "./api-client.ts";
import { isK8sError, K8sError } from "./errors.ts";
import { impersonatingConfig } from "./impersonation.ts";
import { executeKubeWrite, type KubeWriteOperation, kubeWriteFailure } from "./kube-writes.ts";
import { tenantUser } from "./labels.ts";
import {
  applyObject,
  deleteObject,
  getObject,
  listPage,
  mergePatchObject,
  tenantApiResource,
} from "./objects.ts";
import {
  type AdmittedOperation,
  KUBE_WRITE_OPERATIONS,
  type RequestOutcome,
  type ResolvedObjectPolicy,
} from "./operations.ts";
import { countLabel, failure, objectLabel, success, withoutManagedFields } from "./outcomes.ts";
import { withRequestId } from "./request-id.ts";
import { DEFAULT_LIST_LIMIT } from "./resources.ts";
import { type RetryEvent, type RetryPolicy, withRetry } from "./retry.ts";

export interface ExecutorRetryEvent extends RetryEvent {
  readonly requestId: bigint;
  readonly operation: AdmittedOperation["kind"];
  readonly namespace: string;
}

export interface TenantExecutorOptions {
  readonly retry?: RetryPolicy;
  /** Called before every retry of a transient failure (metrics, logs). */
  readonly onRetry?: (event: ExecutorRetryEvent) => void;
  /**
   * Judges what a KubeWrite patch resolves to (admission's policy, injected by the control
   * plane: it lives above this layer). Without it every such patch is refused.
   */
  readonly resolvedPolicy?: ResolvedObjectPolicy;
}

export interface ExecuteOptions {
  readonly signal?: AbortSignal;
  /**
   * True when this request may have been executed before (the control plane stopped after
   * dispatching it and before recording its outcome).
   */
  readonly resumed?: boolean;
  /**
   * Run a KubeWrite operation with the API server's `dryRun=All`: admission and the API
   * server judge it, nothing is persisted (the control plane's dry-run API).
   */
  readonly dryRun?: boolean;
}

/**
 * Executes admitted operations on the cluster, each in its tenant's namespace and AS the
 * tenant: every call impersonates `tenantUser(namespace)`, whose only rights are the Role
 * provisioning gave it in that namespace. Admission already checked ownership; the API
 * server's RBAC is the last line: a bug upstream still cannot reach another namespace.
 *
 * Idempotency by request id (a request re-executed after a crash has one effect):
 * - apply: server-side apply of the same object is a fixed point; every object written
 *   carries `ANNOTATION_REQUEST_ID` = the request id (reconciliation finds it there).
 * - patch: a JSON merge patch is idempotent (patching twice equals patching once); it also
 *   sets the annotation.
 * - delete: the object is first stamped with the annotation (so a terminating object shows
 *   which request deletes it), then deleted with its uid as precondition (never a newer
 *   object of the same name). When the object is gone and this request may already have
 *   deleted it (an earlier attempt of this call got no answer, or `resumed` says a previous
 *   run executed it), the outcome is 200 "already deleted"; otherwise a missing object is
 *   404, as kubectl would say. A resumed delete of an object that never existed therefore
 *   also reads "already deleted": a gone object cannot tell who removed it.
 * - get/list: no effect. A list returns one page of at most `query.limit` objects (admission
 *   always sets it; `DEFAULT_LIST_LIMIT` otherwise), with the API server's `continue` token
 *   in the list's metadata when more follow.
 *
 * Transient failures (no answer, 429, 5xx except 501) are retried with capped exponential
 * backoff and jitter until the retry deadline or the caller's signal; an aborted `execute`
 * rejects with the signal's reason (the request is unfinished and must be resumed), every
 * other ending is a `RequestOutcome`.
 */
export class TenantExecutor {
  readonly #admin: KubeConfig;
  readonly #options: TenantExecutorOptions;
  readonly #clients = new Map<string, KubeApiClient>();

  constructor(admin: KubeConfig, options: TenantExecutorOptions = {}) {
    this.#admin = admin;
    this.#options = options;
  }

  async execute(
    operation: AdmittedOperation,
    requestId: bigint,
    options: ExecuteOptions = {},
  ): Promise<RequestOutcome> {
    let retries = 0;
    const retry = <T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> =>
      withRetry(call, {
        policy: this.#options.retry,
        signal: options.signal,
        onRetry: (event) => {
          retries++;
          this.#options.onRetry?.({
            ...event,
            requestId,
            operation: operation.kind,
            namespace: operation.namespace,
          });
        },
      });
    const client = this.#clientFor(operation.namespace);
    const resource = tenantApiResource(operation.resource);
    if (isKubeWriteOperation(operation)) {
      try {
        return await executeKubeWrite(operation, {
          client,
          resource,
          requestId,
          retry,
          mayHaveRun: () => options.resumed === true || retries > 0,
          policy: this.#options.resolvedPolicy,
          dryRun: options.dryRun === true,
        });
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        return kubeWriteFailure(error);
      }
    }
    if (options.dryRun) throw new K8sError("K8S_BAD_REQUEST", "only KubeWrite operations dry-run");
    try {
      switch (operation.kind) {
        case "get": {
          const { body } = await retry((signal) => getObject(client, resource, operation, signal));
          return success(
            200,
            `${objectLabel(operation.resource, operation.name)} found`,
            withoutManagedFields(body),
          );
        }
        case "list": {
          const query = operation.query ?? { limit: DEFAULT_LIST_LIMIT };
          const { items, list, continueToken } = await retry((signal) =>
            listPage(client, resource, operation.namespace, { ...query, signal }),
          );
          const more = continueToken === undefined ? "" : " (more follow)";
          return success(200, `${countLabel(operation.resource, items.length)}${more}`, {
            ...list,
            items: items.map(withoutManagedFields),
          });
        }
        case "apply": {
          const object = withRequestId(
            {
              ...operation.object,
              metadata: {
                ...operation.object.metadata,
                namespace: operation.namespace,
                name: operation.name,
              },
            },
            requestId,
          );
          const { statusCode, body } = await retry((signal) =>
            applyObject(client, resource, object, { force: operation.force, signal }),
          );
          const verb = statusCode === 201 ? "created" : "configured";
          return success(
            statusCode,
            `${objectLabel(operation.resource, operation.name)} ${verb}`,
            withoutManagedFields(body),
          );
        }
        case "patch": {
          const patch = withRequestId(operation.patch, requestId);
          const { body } = await retry((signal) =>
            mergePatchObject(client, resource, operation, patch, signal),
          );
          return success(
            200,
            `${objectLabel(operation.resource, operation.name)} patched`,
            withoutManagedFields(body),
          );
        }
        case "delete":
          return await this.#delete(operation, requestId, retry, {
            resumed: options.resumed === true,
            retries: () => retries,
          });
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      return failure(error);
    }
  }

  async #delete(
    operation: Extract<AdmittedOperation, { kind: "delete" }>,
    requestId: bigint,
    retry: <T>(call: (signal: AbortSignal) => Promise<T>) => Promise<T>,
    history: { resumed: boolean; retries: () => number },
  ): Promise<RequestOutcome> {
    const client = this.#clientFor(operation.namespace);
    const resource = tenantApiResource(operation.resource);
    const label = objectLabel(operation.resource, operation.name);
    const alreadyDeleted = success(200, `${label} already deleted`, { alreadyDeleted: true });
    let uid: string | undefined;
    try {
      const { body } = await retry((signal) =>
        mergePatchObject(client, resource, operation, withRequestId({}, requestId), signal),
      );
      uid = (body as { metadata?: { uid?: string } }).metadata?.uid;
    } catch (error) {
      // Only a previous run can have deleted it: stamping deletes nothing.
      if (isK8sError(error, "K8S_NOT_FOUND") && history.resumed) return alreadyDeleted;
      throw error;
    }
    const retriesBefore = history.retries();
    try {
      const { body } = await retry((signal) =>
        deleteObject(client, resource, operation, { uid, signal }),
      );
      return success(200, `${label} deleted`, withoutManagedFields(body));
    } catch (error) {
      // A retried DELETE whose earlier attempt got no answer may have been carried out.
      const mayHaveDeleted = history.resumed || history.retries() > retriesBefore;
      if (isK8sError(error, "K8S_NOT_FOUND") && mayHaveDeleted) return alreadyDeleted;
      throw error;
    }
  }

  #clientFor(namespace: string): KubeApiClient {
    let client = this.#clients.get(namespace);
    if (!client) {
      client = new KubeApiClient(impersonatingConfig(this.#admin, tenantUser(namespace)));
      this.#clients.set(namespace, client);
    }
    return client;
  }
}

function isKubeWriteOperation(operation: AdmittedOperation): operation is KubeWriteOperation {
  return KUBE_WRITE_OPERATIONS.has(operation.kind);
}
