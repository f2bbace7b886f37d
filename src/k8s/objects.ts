import {
  type ApiResource,
  type ApiResponse,
  CONTENT_TYPE,
  HttpMethod,
  type KubeApiClient,
  resourcePath,
} from "./api-client.ts";
import { K8sError } from "./errors.ts";
import { FIELD_MANAGER } from "./labels.ts";
import type { ResourceType } from "./resources.ts";

// The verbs the control plane uses, on any kind described by an `ApiResource`.

type JsonObject = Record<string, unknown>;

export interface ObjectRef {
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** Every tenant kind is namespaced. */
export function tenantApiResource(type: ResourceType): ApiResource {
  return { group: type.group, version: type.version, plural: type.plural, namespaced: true };
}

export function getObject(
  client: KubeApiClient,
  resource: ApiResource,
  ref: ObjectRef,
  signal?: AbortSignal,
): Promise<ApiResponse> {
  return client.request(HttpMethod.GET, resourcePath(resource, ref.namespace, ref.name), {
    ...(signal ? { signal } : {}),
  });
}

export interface ListOptions {
  readonly labelSelector?: string;
  /** Page size; pages are fetched until the server says there are no more. */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

export interface ObjectList {
  readonly items: JsonObject[];
  /** The list's `apiVersion`, `kind` and `metadata` from the last page. */
  readonly list: JsonObject;
}

/** All objects of a kind in `namespace` (or every namespace), following `continue` tokens. */
export async function listObjects(
  client: KubeApiClient,
  resource: ApiResource,
  namespace: string | undefined,
  options: ListOptions = {},
): Promise<ObjectList> {
  const items: JsonObject[] = [];
  let continueToken: string | undefined;
  let last: JsonObject = {};
  do {
    const page = await listPage(client, resource, namespace, {
      ...options,
      limit: options.pageSize ?? 500,
      continue: continueToken,
    });
    items.push(...page.items);
    last = page.list;
    continueToken = page.continueToken;
  } while (continueToken);
  return { items, list: last };
}

export interface PageOptions {
  readonly labelSelector?: string | undefined;
  /** At most this many objects (the API server may return fewer and a `continue` token). */
  readonly limit: number;
  /** The previous page's `metadata.continue`. */
  readonly continue?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface ObjectPage extends ObjectList {
  /** Set when more objects follow: pass it as `continue` for the next page. */
  readonly continueToken: string | undefined;
}

/** One page of a list: at most `limit` objects, and the token for the next page. */
export async function listPage(
  client: KubeApiClient,
  resource: ApiResource,
  namespace: string | undefined,
  options: PageOptions,
): Promise<ObjectPage> {
  const { body } = await client.request(HttpMethod.GET, resourcePath(resource, namespace), {
    query: {
      labelSelector: options.labelSelector,
      limit: String(options.limit),
      continue: options.continue,
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return asListBody(body);
}

function asListBody(body: unknown): {
  items: JsonObject[];
  list: JsonObject;
  continueToken: string | undefined;
} {
  if (typeof body !== "object" || body === null || !Array.isArray((body as JsonObject).items)) {
    throw new K8sError("K8S_RESPONSE_INVALID", "a list answer has no items");
  }
  const { items, ...list } = body as JsonObject & { items: JsonObject[] };
  const metadata = list.metadata as { continue?: unknown } | undefined;
  const token = metadata?.continue;
  return { items, list, continueToken: typeof token === "string" && token ? token : undefined };
}

/**
 * Server-side apply of `object` (its metadata names it). 201 means created, 200 updated.
 * `force` takes over fields another manager owns instead of failing with a conflict.
 */
export function applyObject(
  client: KubeApiClient,
  resource: ApiResource,
  object: JsonObject & { metadata: ObjectRef },
  options: { force: boolean; signal?: AbortSignal },
): Promise<ApiResponse> {
  const { namespace, name } = object.metadata;
  return client.request(HttpMethod.PATCH, resourcePath(resource, namespace, name), {
    query: { fieldManager: FIELD_MANAGER, force: String(options.force) },
    body: object,
    contentType: CONTENT_TYPE.apply,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** JSON merge patch (RFC 7386), recorded under our field manager. */
export function mergePatchObject(
  client: KubeApiClient,
  resource: ApiResource,
  ref: ObjectRef,
  patch: JsonObject,
  signal?: AbortSignal,
): Promise<ApiResponse> {
  return client.request(HttpMethod.PATCH, resourcePath(resource, ref.namespace, ref.name), {
    query: { fieldManager: FIELD_MANAGER },
    body: patch,
    contentType: CONTENT_TYPE.mergePatch,
    ...(signal ? { signal } : {}),
  });
}

/**
 * Deletes with Background propagation (dependents are collected after the answer). With
 * `uid`, only that incarnation of the name is deleted (409 if it was replaced).
 */
export function deleteObject(
  client: KubeApiClient,
  resource: ApiResource,
  ref: ObjectRef,
  options: { uid?: string | undefined; signal?: AbortSignal } = {},
): Promise<ApiResponse> {
  return client.request(HttpMethod.DELETE, resourcePath(resource, ref.namespace, ref.name), {
    body: {
      apiVersion: "v1",
      kind: "DeleteOptions",
      propagationPolicy: "Background",
      ...(options.uid ? { preconditions: { uid: options.uid } } : {}),
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
