// The kubectl gateway's API (`/v2/kube/…`, `/v2/kube-session`, `/v2/kube-dry-run`; the
// contract is in ./README.md): free reads of a tenant's namespaces as its ServiceAccount,
// filtered discovery, the self-reviews, logs and exec/attach/port-forward through the
// streams service, and dry runs of KubeWrite requests. Every answer is what the API server
// would say; our refusals are Kubernetes `Status` bodies naming our code.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import {
  impersonatingConfig,
  isK8sError,
  kubeStatus,
  openApiExchange,
  tenantUser,
} from "../../k8s/index.ts";
import type { RequestOutcome } from "../../k8s/operations.ts";
import { checkOwnership, isKubeWriteRequest, type RequestAdmission } from "../admission/index.ts";
import type { NamespaceClaim } from "../inbox/index.ts";
import {
  parseLogQuery,
  refuseUpgrade,
  StreamError,
  type StreamsService,
} from "../streams/index.ts";
import type { TenantRequest } from "../tenant-request.ts";
import { AuthError, authErrorStatus, type RequestAuthenticator, signedTarget } from "./auth.ts";
import {
  allowedGroupVersion,
  filterAggregatedDiscovery,
  filterApiGroup,
  filterApiGroupList,
  filterApiResourceList,
  filterOpenApiV2,
  filterOpenApiV3Root,
} from "./discovery-filter.ts";
import { classifyKubePath, type KubePath, REVIEW_GROUP } from "./kube-paths.ts";
import { KubeSessions } from "./kube-session.ts";
import { ReviewDecodeError, type ReviewScope, reviewScope } from "./review-namespace.ts";
import { sendJson } from "./serve.ts";
import { upgradeClient } from "./streams-routes.ts";

export interface KubeGatewayOptions {
  /** The control plane's cluster credential; every call impersonates a tenant with it. */
  readonly admin: KubeConfig;
  /** Who holds each namespace on this cluster (the inbox's claims). */
  readonly namespaces: {
    get(name: string): NamespaceClaim | undefined;
    all(): NamespaceClaim[];
  };
  /** Logs, exec, attach, port-forward; absent, those paths answer 503. */
  readonly streams?: StreamsService;
  /** Admission as the pipeline runs it (ownership, policy, placement). */
  readonly admit?: (request: TenantRequest, claim: NamespaceClaim | undefined) => RequestAdmission;
  /** Runs an admitted operation with `dryRun=All` (the executor). */
  readonly dryRun?: (
    operation: Extract<RequestAdmission, { ok: true }>["operation"],
  ) => Promise<RequestOutcome>;
}

const PREFIX = "/v2/kube";
const SESSION_ROUTE = "/v2/kube-session";
const DRY_RUN_ROUTE = "/v2/kube-dry-run";
/** Discovery and schema documents are read whole to be filtered (OpenAPI v2 is a few MB). */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
const MAX_REVIEW_BYTES = 64 * 1024;
const MAX_DRY_RUN_BYTES = 64 * 1024;

class KubeRefusal extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(code: string, statusCode: number, message: string) {
    super(message);
    this.name = "KubeRefusal";
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** True for the paths `KubeRoutes` serves. */
export function isKubeRoute(path: string): boolean {
  return (
    path === PREFIX ||
    path.startsWith(`${PREFIX}/`) ||
    path === SESSION_ROUTE ||
    path === DRY_RUN_ROUTE
  );
}

export class KubeRoutes {
  readonly #options: KubeGatewayOptions;
  readonly #auth: RequestAuthenticator;
  readonly sessions = new KubeSessions();
  readonly #configs = new Map<string, KubeConfig>();

  constructor(options: KubeGatewayOptions, auth: RequestAuthenticator) {
    this.#options = options;
    this.#auth = auth;
  }

  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      if (url.pathname === SESSION_ROUTE) return await this.#session(req, res, url);
      const caller = await this.#caller(req, url);
      if (url.pathname === DRY_RUN_ROUTE) return await this.#dryRunRoute(caller, req, res);
      const path = decodedKubePath(url.pathname);
      const target = classifyKubePath(path);
      if (target.kind === "refused")
        throw new KubeRefusal(target.code, target.statusCode, target.message);
      const method = req.method ?? "GET";
      if (target.kind === "review") {
        if (method !== "POST") throw notAllowed(method, path);
        return await this.#review(caller, req, res, target.resource);
      }
      if (method !== "GET") throw notAllowed(method, path);
      if (target.kind === "object") return await this.#object(caller, req, res, url, target);
      return await this.#discovery(caller, req, res, url, target);
    } catch (error) {
      this.#refuse(res, error);
    }
  }

  /** An upgrade under `/v2/kube/`: exec, attach or port-forward of a pod (WebSocket). */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const client = upgradeClient(req, socket, head);
    if (!client) return;
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      const caller = await this.#caller(req, url, "GET");
      const target = classifyKubePath(decodedKubePath(url.pathname));
      if (target.kind === "refused")
        throw new KubeRefusal(target.code, target.statusCode, target.message);
      const sub = target.kind === "object" ? target.subresource : undefined;
      if (
        target.kind !== "object" ||
        target.type.plural !== "pods" ||
        target.name === undefined ||
        (sub !== "exec" && sub !== "attach" && sub !== "portforward")
      ) {
        throw new KubeRefusal(
          "KUBE_PATH_FORBIDDEN",
          403,
          "only pods' exec, attach and portforward upgrade",
        );
      }
      const streams = this.#options.streams;
      if (!streams)
        throw new KubeRefusal("STREAM_UPSTREAM_FAILED", 503, "streams are not served here");
      await streams.exec(
        caller,
        target.namespace,
        target.name,
        sub,
        streamQuery(url.searchParams, sub),
        client,
      );
    } catch (error) {
      const { code, statusCode, message } = refusalOf(error);
      refuseUpgrade(client, { code, statusCode, message });
    }
  }

  /** The caller's address: a session token (`Authorization: Bearer`) or signed headers. */
  async #caller(req: IncomingMessage, url: URL, method = req.method ?? "GET"): Promise<string> {
    const authorization = req.headers.authorization;
    if (typeof authorization === "string" && authorization.startsWith("Bearer ")) {
      const address = this.sessions.addressOf(authorization.slice("Bearer ".length).trim());
      if (address === undefined) {
        throw new AuthError(
          "AUTH_TOKEN_UNKNOWN",
          "unknown or expired session token: sign for a new one (POST /v2/kube-session)",
        );
      }
      return address;
    }
    return this.#auth.verify(method, signedTarget(url), {
      get: (name) => {
        const value = req.headers[name];
        return typeof value === "string" ? value : null;
      },
    });
  }

  async #session(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== "POST") throw notAllowed(req.method ?? "", url.pathname);
    // Only a signature opens a session: a token cannot renew itself.
    const address = await this.#auth.verify("POST", signedTarget(url), {
      get: (name) => {
        const value = req.headers[name];
        return typeof value === "string" ? value : null;
      },
    });
    const { token, expiresAtMs } = this.sessions.issue(address);
    sendJson(res, 200, { token, expiresAtMs, address });
  }

  /** The tenant's own namespace, held by `caller` here; refused 403 otherwise. */
  #held(caller: string, namespace: string): void {
    const refusal = checkOwnership(
      { namespace, requester: caller },
      this.#options.namespaces.get(namespace),
    );
    if (refusal) throw new KubeRefusal(refusal.code, 403, refusal.message);
  }

  /** The client config acting as `namespace`'s tenant ServiceAccount. */
  #as(namespace: string): KubeConfig {
    let config = this.#configs.get(namespace);
    if (!config) {
      config = impersonatingConfig(this.#options.admin, tenantUser(namespace));
      this.#configs.set(namespace, config);
    }
    return config;
  }

  /** Discovery is the same for every tenant; it is still asked as one of the caller's accounts. */
  #anyHeldNamespace(caller: string): string {
    const held = this.#options.namespaces
      .all()
      .filter((claim) => claim.owner === caller && !claim.released)
      .map((claim) => claim.namespace)
      .sort();
    const first = held[0];
    if (first === undefined) {
      throw new KubeRefusal(
        "NAMESPACE_NOT_CLAIMED",
        403,
        `${caller} holds no namespace on this cluster`,
      );
    }
    return first;
  }

  async #object(
    caller: string,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    target: Extract<KubePath, { kind: "object" }>,
  ): Promise<void> {
    this.#held(caller, target.namespace);
    const sub = target.subresource;
    if (sub === "exec" || sub === "attach" || sub === "portforward") {
      throw new KubeRefusal("STREAM_BAD_REQUEST", 400, `${sub} is a WebSocket upgrade`);
    }
    if (sub === "log") {
      const streams = this.#options.streams;
      if (!streams)
        throw new KubeRefusal("STREAM_UPSTREAM_FAILED", 503, "streams are not served here");
      const options = parseLogQuery(logQuery(url.searchParams));
      const clientGone = new AbortController();
      res.on("close", () => clientGone.abort());
      try {
        return await streams.podLog(
          caller,
          target.namespace,
          target.name ?? "",
          options,
          res,
          clientGone.signal,
        );
      } catch (error) {
        if (error instanceof StreamError) streams.refused(error.code);
        throw error;
      }
    }
    // A watch stays open: it counts against the tenant's concurrent streams like a log.
    const watch = ["true", "1"].includes(url.searchParams.get("watch") ?? "");
    const lease = watch ? this.#options.streams?.quota.acquire(caller) : undefined;
    if (lease) res.on("close", () => lease.release());
    try {
      await this.#proxy(
        req,
        res,
        this.#as(target.namespace),
        `${url.pathname.slice(PREFIX.length)}${url.search}`,
      );
    } catch (error) {
      lease?.release();
      throw error;
    }
  }

  /** Passes one exchange through: status, content type, body streamed as it comes. */
  async #proxy(
    req: IncomingMessage,
    res: ServerResponse,
    config: KubeConfig,
    pathAndQuery: string,
    body?: { bytes: Uint8Array; contentType: string },
  ): Promise<void> {
    const clientGone = new AbortController();
    res.on("close", () => clientGone.abort(new Error("client gone")));
    const accept = req.headers.accept;
    const upstream = await openApiExchange(config, {
      method: body ? "POST" : "GET",
      pathAndQuery,
      headers: {
        accept: typeof accept === "string" && accept ? accept : "application/json",
        ...(body ? { "content-type": body.contentType } : {}),
      },
      ...(body ? { body: body.bytes } : {}),
      signal: clientGone.signal,
    });
    res.writeHead(upstream.statusCode ?? 502, {
      "content-type": upstream.headers["content-type"] ?? "application/json",
      "cache-control": "no-cache, private",
    });
    res.flushHeaders();
    upstream.on("error", () => res.destroy());
    upstream.pipe(res);
  }

  async #review(
    caller: string,
    req: IncomingMessage,
    res: ServerResponse,
    resource: "selfsubjectaccessreviews" | "selfsubjectrulesreviews",
  ): Promise<void> {
    const raw = await readBody(req, MAX_REVIEW_BYTES);
    const contentType = String(req.headers["content-type"] ?? "application/json");
    let scope: ReviewScope;
    try {
      scope = reviewScope(raw, contentType, resource === "selfsubjectrulesreviews");
    } catch (error) {
      if (!(error instanceof ReviewDecodeError)) throw error;
      throw new KubeRefusal(error.code, 400, error.message);
    }
    if (scope.nonResource)
      throw new KubeRefusal("KUBE_CLUSTER_SCOPED", 403, "non-resource URLs are not the tenant's");
    const namespace = scope.namespace;
    if (namespace === undefined)
      throw new KubeRefusal(
        "KUBE_CLUSTER_SCOPED",
        403,
        "a review names one of the caller's namespaces",
      );
    this.#held(caller, namespace);
    await this.#proxy(req, res, this.#as(namespace), `/apis/${REVIEW_GROUP}/v1/${resource}`, {
      bytes: raw,
      contentType,
    });
  }

  async #discovery(
    caller: string,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    target: Exclude<KubePath, { kind: "object" | "review" | "refused" }>,
  ): Promise<void> {
    const config = this.#as(this.#anyHeldNamespace(caller));
    const pathAndQuery = `${url.pathname.slice(PREFIX.length)}${url.search}`;
    if (target.kind === "version") return this.#proxy(req, res, config, pathAndQuery);
    if (target.kind === "openapi-v3") {
      if (!allowedGroupVersion(target.group, target.version)) throw forbiddenGroupVersion(target);
      return this.#proxy(req, res, config, pathAndQuery);
    }
    if (target.kind === "resources" && !allowedGroupVersion(target.group, target.version)) {
      throw forbiddenGroupVersion(target);
    }
    if (target.kind === "group" && target.group === "") throw forbiddenGroupVersion(target);
    // Filtering needs JSON: protobuf forms are dropped from the Accept list (OpenAPI v2
    // keeps them: its protobuf is passed on whole, it is schema only).
    const accept = String(req.headers.accept ?? "application/json");
    const jsonAccept =
      target.kind === "openapi-v2"
        ? accept
        : accept
            .split(",")
            .filter((part) => !part.includes("protobuf"))
            .join(",") || "application/json";
    const upstream = await openApiExchange(config, {
      method: "GET",
      pathAndQuery,
      headers: { accept: jsonAccept },
    });
    const contentType = upstream.headers["content-type"] ?? "application/json";
    const status = upstream.statusCode ?? 502;
    const raw = await readBody(upstream, MAX_DOCUMENT_BYTES);
    // Errors pass as they are; so does OpenAPI v2 as protobuf (schema only, not filterable).
    const protobufSchema = target.kind === "openapi-v2" && !contentType.includes("json");
    if (status < 200 || status > 299 || protobufSchema) {
      res.writeHead(status, { "content-type": contentType });
      res.end(raw);
      return;
    }
    let document: Record<string, unknown>;
    try {
      document = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
    } catch {
      throw new KubeRefusal(
        "K8S_RESPONSE_INVALID",
        502,
        `${pathAndQuery}: the API server's answer is not JSON`,
      );
    }
    const filtered = filterDocument(target, document, contentType);
    if (filtered === undefined) throw forbiddenGroupVersion(target);
    res.writeHead(status, { "content-type": contentType, "cache-control": "no-cache, private" });
    res.end(JSON.stringify(filtered));
  }

  async #dryRunRoute(caller: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") throw notAllowed(req.method ?? "", DRY_RUN_ROUTE);
    const { admit, dryRun } = this.#options;
    if (!admit || !dryRun)
      throw new KubeRefusal("KUBE_DRY_RUN_UNAVAILABLE", 503, "dry runs are not served here");
    const request = dryRunRequest(caller, await readBody(req, MAX_DRY_RUN_BYTES));
    if (!isKubeWriteRequest(request)) {
      throw new KubeRefusal(
        "ADMISSION_KUBE_WRITE_INVALID",
        400,
        "a dry run's payload is a KubeWrite envelope",
      );
    }
    const admitted = admit(request, this.#options.namespaces.get(request.namespace));
    if (!admitted.ok) {
      const { code, statusCode, message } = admitted.rejection;
      throw new KubeRefusal(code, statusCode, message);
    }
    const outcome = await dryRun(admitted.operation);
    sendJson(res, outcome.statusCode, outcome.output);
  }

  #refuse(res: ServerResponse, error: unknown): void {
    const { code, statusCode, message } = refusalOf(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, statusCode, kubeStatus(statusCode, code, message));
  }
}

function refusalOf(error: unknown): { code: string; statusCode: number; message: string } {
  if (error instanceof KubeRefusal || error instanceof StreamError)
    return { code: error.code, statusCode: error.statusCode, message: error.message };
  if (error instanceof AuthError)
    return { code: error.code, statusCode: authErrorStatus(error.code), message: error.message };
  if (isK8sError(error, "K8S_TRANSPORT"))
    return { code: "K8S_UNAVAILABLE", statusCode: 503, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: "INTERNAL", statusCode: 500, message };
}

function notAllowed(method: string, path: string): KubeRefusal {
  return new KubeRefusal(
    "KUBE_WRITE_ON_CHAIN",
    405,
    `${method} ${path}: writes are on-chain requests (k8s-daas proxy submits them); this API only reads`,
  );
}

function forbiddenGroupVersion(target: KubePath): KubeRefusal {
  const group = "group" in target ? target.group : "";
  const version = "version" in target ? `/${target.version}` : "";
  return new KubeRefusal(
    "KUBE_RESOURCE_FORBIDDEN",
    403,
    `${group || "core"}${version} is not an API group-version tenants use`,
  );
}

/** The Kubernetes path under `/v2/kube`, percent-decoded (names never need escapes). */
function decodedKubePath(pathname: string): string {
  const rest = pathname.slice(PREFIX.length);
  try {
    return decodeURIComponent(rest) || "/";
  } catch {
    return "/%";
  }
}

function filterDocument(
  target: Exclude<KubePath, { kind: "object" | "review" | "refused" }>,
  document: Record<string, unknown>,
  contentType: string,
): Record<string, unknown> | undefined {
  if (contentType.includes("as=APIGroupDiscoveryList")) return filterAggregatedDiscovery(document);
  switch (target.kind) {
    case "root":
      return target.core ? document : filterApiGroupList(document);
    case "group":
      return filterApiGroup(document);
    case "resources":
      return filterApiResourceList(document, target.group, target.version);
    case "openapi-v2":
      return filterOpenApiV2(document);
    case "openapi-v3-root":
      return filterOpenApiV3Root(document);
    default:
      return document;
  }
}

/** kubectl's log query (`tailLines`, `sinceSeconds`) in the streams service's words. */
function logQuery(query: URLSearchParams): URLSearchParams {
  const renamed: Record<string, string> = { tailLines: "tail", sinceSeconds: "since" };
  const out = new URLSearchParams();
  for (const [key, value] of query) {
    if (key === "insecureSkipTLSVerifyBackend") continue;
    out.append(renamed[key] ?? key, value);
  }
  return out;
}

/** kubectl's exec/attach query without `stdout`/`stderr` (the bridge always carries both). */
function streamQuery(
  query: URLSearchParams,
  sub: "exec" | "attach" | "portforward",
): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of query) {
    if (sub !== "portforward" && (key === "stdout" || key === "stderr")) continue;
    out.append(key, value);
  }
  return out;
}

function dryRunRequest(caller: string, raw: Uint8Array): TenantRequest {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
  } catch {
    throw new KubeRefusal("KUBE_DRY_RUN_INVALID", 400, "the body is not JSON");
  }
  const text = (field: string): string => {
    const value = body?.[field];
    if (typeof value !== "string")
      throw new KubeRefusal("KUBE_DRY_RUN_INVALID", 400, `${field} must be a string`);
    return value;
  };
  const payload = body.payload;
  return {
    requestId: 0n,
    clusterId: "",
    method: text("method"),
    resource: text("resource"),
    namespace: text("namespace"),
    name: text("name"),
    payload: new TextEncoder().encode(
      typeof payload === "string" ? payload : JSON.stringify(payload ?? null),
    ),
    priority: 0,
    requester: caller,
  };
}

async function readBody(stream: NodeJS.ReadableStream, max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new KubeRefusal("KUBE_BODY_TOO_LARGE", 413, `more than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
