// The kubectl gateway's verbs (KubeWrite), executed as the tenant. Unlike the manifest
// verbs, each answers with the API server's own response: body verbatim (managedFields
// included) and its HTTP status, so the gateway can hand kubectl exactly what the API server
// said. Our own refusals are Kubernetes `Status` bodies too.

import { type ApiResource, HttpMethod, type KubeApiClient, resourcePath } from "./api-client.ts";
import { isK8sError, K8sError } from "./errors.ts";
import { kubeStatus } from "./kube-status.ts";
import { FIELD_MANAGER } from "./labels.ts";
import type { AdmittedOperation, RequestOutcome, ResolvedObjectPolicy } from "./operations.ts";
import { objectLabel, success } from "./outcomes.ts";
import { requestIdOf, withRequestId } from "./request-id.ts";

type JsonObject = Record<string, unknown>;

export type KubeWriteOperation = Extract<
  AdmittedOperation,
  { kind: "create" | "update" | "typed-patch" | "delete-with-options" | "delete-collection" }
>;

export interface KubeWriteContext {
  readonly client: KubeApiClient;
  readonly resource: ApiResource;
  readonly requestId: bigint;
  /** Retries transient failures (as every executor call). */
  readonly retry: <T>(call: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  /** True when this request may already have been carried out (resumed, or a retried call). */
  readonly mayHaveRun: () => boolean;
  /** Judges a patch's resolved object; without one, patches are refused (fail closed). */
  readonly policy: ResolvedObjectPolicy | undefined;
  /** `dryRun=All` on the write: nothing is persisted (the control plane's dry-run API). */
  readonly dryRun: boolean;
}

const CONTENT_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/**
 * Idempotency by request id (a request may be re-executed after a crash):
 * - create/update/patch stamp the request-id annotation (not on a Scale, which has no
 *   metadata of its own to keep); a create answered 409 AlreadyExists, an update or a patch
 *   answered 409 Conflict, whose object carries this request's id, was this request's own
 *   earlier attempt: the outcome is that object (201 for a create, 200 otherwise).
 * - a patch already applied by this request (the live object carries its id) is not
 *   applied again (a JSON Patch `add` to a list is not idempotent).
 * - delete: as the manifest delete (stamp, delete with the uid as precondition unless the
 *   tenant gave preconditions); gone and possibly deleted by us earlier → 200 Success.
 * - deletecollection: deleting again what the selector matches; no id (nothing remains).
 */
export async function executeKubeWrite(
  operation: KubeWriteOperation,
  context: KubeWriteContext,
): Promise<RequestOutcome> {
  switch (operation.kind) {
    case "create":
      return create(operation, context);
    case "update":
      return update(operation, context);
    case "typed-patch":
      return typedPatch(operation, context);
    case "delete-with-options":
      return deleteWithOptions(operation, context);
    case "delete-collection":
      return deleteCollection(operation, context);
  }
}

function dryRunQuery(context: KubeWriteContext): Record<string, string | undefined> {
  return context.dryRun ? { dryRun: "All" } : {};
}

function objectPath(
  context: KubeWriteContext,
  operation: { namespace: string; name: string; subresource?: "scale" },
): string {
  const path = resourcePath(context.resource, operation.namespace, operation.name);
  return operation.subresource ? `${path}/${operation.subresource}` : path;
}

async function create(
  operation: Extract<KubeWriteOperation, { kind: "create" }>,
  context: KubeWriteContext,
): Promise<RequestOutcome> {
  const label = objectLabel(operation.resource, operation.name);
  const object = withRequestId(operation.object, context.requestId);
  try {
    const { statusCode, body } = await context.retry((signal) =>
      context.client.request(HttpMethod.POST, resourcePath(context.resource, operation.namespace), {
        query: { fieldManager: FIELD_MANAGER, ...dryRunQuery(context) },
        body: object,
        signal,
      }),
    );
    return success(statusCode, `${label} created`, body);
  } catch (error) {
    if (isK8sError(error, "K8S_ALREADY_EXISTS") && context.mayHaveRun()) {
      const ours = await ownEarlierWrite(operation, context);
      if (ours) return success(201, `${label} created`, ours);
    }
    throw error;
  }
}

async function update(
  operation: Extract<KubeWriteOperation, { kind: "update" }>,
  context: KubeWriteContext,
): Promise<RequestOutcome> {
  const label = objectLabel(operation.resource, operation.name);
  const object = operation.subresource
    ? operation.object
    : withRequestId(operation.object, context.requestId);
  try {
    const { statusCode, body } = await put(context, operation, object);
    return success(statusCode, `${label}${operation.subresource ? " scaled" : " replaced"}`, body);
  } catch (error) {
    if (isK8sError(error, "K8S_CONFLICT") && !operation.subresource && context.mayHaveRun()) {
      const ours = await ownEarlierWrite(operation, context);
      if (ours) return success(200, `${label} replaced`, ours);
    }
    throw error;
  }
}

function put(
  context: KubeWriteContext,
  operation: { namespace: string; name: string; subresource?: "scale" },
  object: JsonObject,
) {
  return context.retry((signal) =>
    context.client.request(HttpMethod.PUT, objectPath(context, operation), {
      query: { fieldManager: FIELD_MANAGER, ...dryRunQuery(context) },
      body: object,
      signal,
    }),
  );
}

/** The live object if it carries this request's id (an earlier attempt wrote it). */
async function ownEarlierWrite(
  operation: { namespace: string; name: string },
  context: KubeWriteContext,
): Promise<unknown> {
  const { body } = await context.retry((signal) =>
    context.client.request(HttpMethod.GET, objectPath(context, operation), { signal }),
  );
  return requestIdOf(body) === context.requestId ? body : undefined;
}

/**
 * Resolve (the API server's dry run of the patch, as the tenant), judge (the control plane's
 * `ResolvedObjectPolicy`), write exactly the judged object; a write that lost a race is
 * resolved and judged again from the new state, `PATCH_ATTEMPTS` times at most, then its
 * 409 Conflict is the answer:
 * - json, merge, strategic (and any patch of the Scale): a PUT of the judged object with the
 *   live object's resourceVersion, so a write that landed in between makes it 409 Conflict
 *   (the API server's own answer for a lost race) instead of overwriting unjudged state.
 * - apply: the same apply configuration again, for real, with the live resourceVersion in
 *   its metadata (server-side apply honours it as a precondition): from the same base the
 *   same configuration and field manager give the object that was judged, and the field
 *   ownership server-side apply is used for stays the tenant's. A configuration that
 *   creates the object has no base version; only the tenant's own requests could create
 *   it in between.
 */
async function typedPatch(
  operation: Extract<KubeWriteOperation, { kind: "typed-patch" }>,
  context: KubeWriteContext,
): Promise<RequestOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await resolveJudgeWrite(operation, context);
    } catch (error) {
      if (!isK8sError(error, "K8S_CONFLICT") || attempt >= PATCH_ATTEMPTS) throw error;
    }
  }
}

/**
 * How often a patch is resolved again after losing a race (409 on its conditioned write).
 * The API server retries its own patches the same way; a Deployment's status changes often
 * while it rolls out, and each change moves the resourceVersion.
 */
const PATCH_ATTEMPTS = 5;

async function resolveJudgeWrite(
  operation: Extract<KubeWriteOperation, { kind: "typed-patch" }>,
  context: KubeWriteContext,
): Promise<RequestOutcome> {
  const label = objectLabel(operation.resource, operation.name);
  const path = objectPath(context, operation);
  const isApply = operation.patchType === "apply" && !operation.subresource;
  let live: JsonObject | undefined;
  try {
    const { body } = await context.retry((signal) =>
      context.client.request(HttpMethod.GET, path, { signal }),
    );
    live = body as JsonObject;
  } catch (error) {
    if (!(isApply && isK8sError(error, "K8S_NOT_FOUND"))) throw error;
  }
  if (live && !operation.subresource && context.mayHaveRun() && !context.dryRun) {
    if (requestIdOf(live) === context.requestId) return success(200, `${label} patched`, live);
  }
  if (!context.policy) {
    return refusalOutcome(500, "K8S_PATCH_POLICY_MISSING", "no policy judges resolved patches");
  }
  const patchQuery = {
    fieldManager: isApply ? (operation.fieldManager ?? FIELD_MANAGER) : FIELD_MANAGER,
    ...(isApply && operation.force !== undefined ? { force: String(operation.force) } : {}),
  };
  const resolved = await context.retry((signal) =>
    context.client.request(HttpMethod.PATCH, path, {
      query: { ...patchQuery, dryRun: "All" },
      body: operation.patch,
      contentType: CONTENT_TYPES[operation.patchType],
      signal,
    }),
  );
  const judged = await context.policy(
    {
      resource: operation.resource,
      namespace: operation.namespace,
      name: operation.name,
      ...(operation.subresource ? { subresource: operation.subresource } : {}),
    },
    resolved.body as JsonObject,
    live,
  );
  if (!judged.ok) return refusalOutcome(judged.statusCode, judged.code, judged.message);
  const liveVersion = (live?.metadata as { resourceVersion?: unknown } | undefined)
    ?.resourceVersion;
  const conditioned = <T extends JsonObject>(object: T): T => {
    if (typeof liveVersion !== "string") return object;
    const metadata = isObject(object.metadata) ? object.metadata : {};
    return { ...object, metadata: { ...metadata, resourceVersion: liveVersion } };
  };
  if (isApply && isObject(operation.patch)) {
    const { statusCode, body } = await context.retry((signal) =>
      context.client.request(HttpMethod.PATCH, path, {
        query: { ...patchQuery, ...dryRunQuery(context) },
        body: conditioned(operation.patch as JsonObject),
        contentType: CONTENT_TYPES.apply,
        signal,
      }),
    );
    if (context.dryRun) return success(statusCode, `${label} serverside-applied`, body);
    // The request id is stamped by an update of its own, under our field manager: inside the
    // tenant's apply it would be a field the tenant's manager claims, and it conflicts with
    // the manager that stamped it last (a create, an edit). A crash between the two writes
    // re-applies (the same apply, idempotent) and stamps on resume.
    const stamped = await stampRequestId(context, path);
    return success(statusCode, `${label} serverside-applied`, stamped.body);
  }
  const object = operation.subresource
    ? judged.object
    : withRequestId(judged.object, context.requestId);
  const { statusCode, body } = await put(context, operation, conditioned(object));
  return success(statusCode, `${label} ${operation.subresource ? "scaled" : "patched"}`, body);
}

/** Stamps the request id on the object at `path` alone, under our own field manager. */
function stampRequestId(context: KubeWriteContext, path: string) {
  return context.retry((signal) =>
    context.client.request(HttpMethod.PATCH, path, {
      query: { fieldManager: FIELD_MANAGER },
      body: withRequestId({}, context.requestId),
      contentType: CONTENT_TYPES.merge,
      signal,
    }),
  );
}

async function deleteWithOptions(
  operation: Extract<KubeWriteOperation, { kind: "delete-with-options" }>,
  context: KubeWriteContext,
): Promise<RequestOutcome> {
  const label = objectLabel(operation.resource, operation.name);
  const path = objectPath(context, operation);
  const given = operation.options.preconditions;
  let preconditions = given;
  // Stamping changes the resourceVersion, which a tenant's precondition names: then the
  // tenant's precondition is the guard and the object is deleted unstamped.
  if (!context.dryRun && given?.resourceVersion === undefined) {
    try {
      const { body } = await stampRequestId(context, path);
      const uid = (body as { metadata?: { uid?: unknown } }).metadata?.uid;
      if (given?.uid === undefined && typeof uid === "string") preconditions = { uid };
    } catch (error) {
      if (isK8sError(error, "K8S_NOT_FOUND") && context.mayHaveRun())
        return alreadyDeleted(operation);
      throw error;
    }
  }
  try {
    const { statusCode, body } = await context.retry((signal) =>
      context.client.request(HttpMethod.DELETE, path, {
        body: deleteBody(
          { ...operation.options, ...(preconditions ? { preconditions } : {}) },
          context,
        ),
        signal,
      }),
    );
    return success(statusCode, `${label} deleted`, body);
  } catch (error) {
    if (isK8sError(error, "K8S_NOT_FOUND") && context.mayHaveRun() && !context.dryRun)
      return alreadyDeleted(operation);
    throw error;
  }
}

function alreadyDeleted(operation: Extract<KubeWriteOperation, { kind: "delete-with-options" }>) {
  return success(200, `${objectLabel(operation.resource, operation.name)} already deleted`, {
    apiVersion: "v1",
    kind: "Status",
    metadata: {},
    status: "Success",
    details: { name: operation.name, kind: operation.resource.plural },
  });
}

async function deleteCollection(
  operation: Extract<KubeWriteOperation, { kind: "delete-collection" }>,
  context: KubeWriteContext,
): Promise<RequestOutcome> {
  const { statusCode, body } = await context.retry((signal) =>
    context.client.request(HttpMethod.DELETE, resourcePath(context.resource, operation.namespace), {
      query: {
        labelSelector: operation.labelSelector,
        fieldSelector: operation.fieldSelector,
      },
      body: deleteBody(operation.options, context),
      signal,
    }),
  );
  const items = (body as { items?: unknown }).items;
  const count = Array.isArray(items) ? items.length : 0;
  return success(statusCode, `${count} ${operation.resource.plural} deleted`, body);
}

/** With a body, the API server reads DeleteOptions from it alone: `dryRun` goes there too. */
function deleteBody(options: object, context: KubeWriteContext): JsonObject {
  return {
    apiVersion: "v1",
    kind: "DeleteOptions",
    ...options,
    ...(context.dryRun ? { dryRun: ["All"] } : {}),
  };
}

function refusalOutcome(statusCode: number, code: string, message: string): RequestOutcome {
  return {
    statusCode,
    errorCode: code,
    summary: message,
    output: kubeStatus(statusCode, code, message),
  };
}

/**
 * A KubeWrite's failure: the API server's status and `Status` verbatim when it answered,
 * else a `Status` of ours (503 unreachable, 500 unexpected).
 */
export function kubeWriteFailure(error: unknown): RequestOutcome {
  if (isK8sError(error) && error.statusCode !== undefined) {
    return {
      statusCode: error.statusCode,
      errorCode: error.code,
      summary: error.message.replace(/\s+/g, " ").trim(),
      output: error.status ?? kubeStatus(error.statusCode, error.code, error.message),
    };
  }
  const transport = isK8sError(error, "K8S_TRANSPORT");
  const statusCode = transport ? 503 : 500;
  const code = transport
    ? "K8S_UNAVAILABLE"
    : error instanceof K8sError
      ? error.code
      : "K8S_INTERNAL";
  const message = error instanceof Error ? error.message : String(error);
  return refusalOutcome(statusCode, code, message.replace(/\s+/g, " ").trim());
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
