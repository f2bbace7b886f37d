import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  type RequestContext,
  ServerConfiguration,
} from "@kubernetes/client-node";
import { type ApiStatus, errorCodeForStatus, K8sError } from "./errors.ts";

/** Where a kind lives in the API. */
export interface ApiResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

export interface ApiResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Aborts this one HTTP exchange (the retry layer combines caller signal and timeout). */
  readonly signal?: AbortSignal;
}

export const CONTENT_TYPE = {
  json: "application/json",
  mergePatch: "application/merge-patch+json",
  /** JSON is YAML, so a JSON body is a valid apply patch. */
  apply: "application/apply-patch+yaml",
} as const;

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

export function resourcePath(resource: ApiResource, namespace?: string, name?: string): string {
  const root = resource.group
    ? `/apis/${resource.group}/${resource.version}`
    : `/api/${resource.version}`;
  const scope =
    resource.namespaced && namespace !== undefined
      ? `/namespaces/${encodeURIComponent(namespace)}`
      : "";
  const item = name === undefined ? "" : `/${encodeURIComponent(name)}`;
  return `${root}${scope}/${resource.plural}${item}`;
}

/**
 * A thin JSON client over `@kubernetes/client-node`'s transport: the KubeConfig supplies
 * TLS, credentials and the `Impersonate-User` header; client-node's fetch library sends.
 *
 * Why not `KubernetesObjectApi`: it round-trips every body through the generated typed
 * models, which silently drops fields the client's models do not know (a newer API
 * server's fields, or a tenant's typo that the server should reject), turns timestamps into
 * `Date`s, and asks discovery for every kind. Tenant manifests must reach the API server
 * byte-for-byte as admitted, and outputs must be what the server said. Paths come from
 * `ApiResource` (we know every kind we touch), so no discovery round trip is needed.
 */
export class KubeApiClient {
  readonly #config: KubeConfig;
  readonly #url: string;
  readonly #server: ServerConfiguration<Record<string, string>>;
  readonly #http = new IsomorphicFetchHttpLibrary();
  /**
   * client-node builds a new connection pool for every request; keeping the first one
   * reuses TLS connections (the credentials behind it do not change for a KubeConfig).
   */
  #dispatcher: Dispatcher | undefined;

  constructor(config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new K8sError("K8S_CONFIG_INVALID", "kubeconfig has no current cluster");
    this.#config = config;
    this.#url = cluster.server.replace(/\/+$/, "");
    this.#server = new ServerConfiguration(this.#url, {});
  }

  /** The API server URL this client talks to. */
  get server(): string {
    return this.#url;
  }

  /**
   * One HTTP exchange. 2xx resolves with the parsed body; an error status throws a
   * `K8sError` carrying the status code and the server's `Status`; no answer throws
   * `K8S_TRANSPORT` (the caller's abort is rethrown as its reason, untouched).
   */
  async request(
    method: HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse> {
    const context = this.#server.makeRequestContext(path, method);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) context.setQueryParam(key, value);
    }
    context.setHeaderParam("Accept", CONTENT_TYPE.json);
    if (options.body !== undefined) {
      context.setHeaderParam("Content-Type", options.contentType ?? CONTENT_TYPE.json);
      context.setBody(JSON.stringify(options.body));
    }
    await this.#config.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    this.#dispatcher ??= fresh;
    if (this.#dispatcher) context.setDispatcher(this.#dispatcher);
    if (options.signal) context.setSignal(options.signal);

    let statusCode: number;
    let text: string;
    let headers: Record<string, string>;
    try {
      const response = await this.#http.send(context).toPromise();
      statusCode = response.httpStatusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new K8sError("K8S_TRANSPORT", `${method} ${path}: ${describeTransportError(error)}`, {
        cause: error,
      });
    }
    const body = parseBody(text);
    if (statusCode >= 200 && statusCode <= 299) {
      if (body === INVALID) {
        throw new K8sError("K8S_RESPONSE_INVALID", `${method} ${path}: answer is not JSON`, {
          statusCode,
        });
      }
      return { statusCode, body };
    }
    throw apiError(statusCode, body === INVALID ? text : body, headers);
  }
}

const INVALID = Symbol("invalid");

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

function apiError(statusCode: number, body: unknown, headers: Record<string, string>): K8sError {
  const status = isStatus(body) ? body : undefined;
  const message =
    status?.message ??
    (typeof body === "string" && body ? body.slice(0, 500) : `HTTP ${statusCode}`);
  const retryAfter = Number.parseInt(headers["retry-after"] ?? "", 10);
  return new K8sError(errorCodeForStatus(statusCode, status?.reason), message, {
    statusCode,
    ...(status ? { status } : {}),
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  });
}

function isStatus(body: unknown): body is ApiStatus {
  return typeof body === "object" && body !== null && (body as ApiStatus).kind === "Status";
}

/** undici reports `fetch failed` and hides the socket error in `cause`. */
function describeTransportError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === "string" ? `${current.message} (${code})` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(": ") || "no answer";
}

export { HttpMethod };
