import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Registry } from "prom-client";
import type { InboxRequest, RequestStore } from "../inbox/index.ts";
import type { StreamsService } from "../streams/index.ts";
import { type Attest, serveAttestation } from "./attestation-route.ts";
import { AuthError, authErrorStatus, RequestAuthenticator } from "./auth.ts";
import { type BillingRoutes, serveUsage, usageRouteNamespace } from "./billing-routes.ts";
import { isKubeRoute, type KubeGatewayOptions, KubeRoutes } from "./kube-routes.ts";
import { type ListeningServer, listenOn, sendJson } from "./serve.ts";
import { isStreamsRoute, serveStreamsRoute, serveUpgrade } from "./streams-routes.ts";

/** One readiness condition, e.g. "chain reachable" or "operator gas above threshold". */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail: string }>;
}

export interface ApiOptions {
  requests: RequestStore;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  /** Shown on /healthz and /readyz, e.g. `{ enclave: "dev" }`. */
  info: Record<string, string>;
  /** The cluster this control plane serves: signed headers must name it. Default `info.cluster`. */
  clusterId?: string;
  /**
   * Further names clients reach the API under (`host[:port]`, as in a Host header: a DNS
   * name, a proxy's address). The loopback names and the listen address, with the bound
   * port, are always accepted.
   */
  publicHosts?: readonly string[];
  /** Tenants' logs, events and describe (`/v1/namespaces/...`); absent, those routes 404. */
  streams?: StreamsService;
  /** `GET /v1/namespaces/<ns>/usage` (`billing-routes.ts`); absent (billing off), it 404s. */
  billing?: BillingRoutes;
  /** Inside a Nitro Enclave: `/get_attestation` serves the NSM's documents; absent, it 404s. */
  attest?: Attest;
  /** The kubectl gateway's API (`/v2/kube…`, ./README.md); absent, those routes 404. */
  kube?: Omit<KubeGatewayOptions, "streams">;
  /**
   * Makes the enclave's TLS key and a certificate around it (`tlsServerCredentials` in
   * src/tee): the API is served over HTTPS. Absent, plain HTTP (`--insecure-http` only).
   * When this or the TLS server fails, the start fails with `ApiTlsError`.
   */
  tls?: () => { key: string; cert: string };
}

/** HTTPS could not start (no certificate, a key the TLS library refuses): `API_TLS_UNAVAILABLE`. */
export class ApiTlsError extends Error {
  readonly code = "API_TLS_UNAVAILABLE";
  constructor(cause: unknown) {
    super(
      `cannot serve the API over TLS: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = "ApiTlsError";
  }
}

export type ApiServer = ListeningServer;

const MAX_LIST = 200;

/**
 * nautilus-control's HTTP API. Health and metrics are open (bind to loopback, the default);
 * request data is only served to the requester, proven by a signed header.
 */
export async function startApiServer(
  options: ApiOptions,
  listen: { host: string; port: number },
): Promise<ApiServer> {
  const clusterId = options.clusterId ?? options.info.cluster;
  if (!clusterId) throw new Error("the API server needs the cluster id it serves");
  let hosts: ReadonlySet<string> | undefined;
  const auth = new RequestAuthenticator({
    clusterId,
    // The bound port is known once listening (port 0 picks one).
    hosts: () => {
      hosts ??= apiHosts(listen.host, (server.address() as AddressInfo).port, options.publicHosts);
      return hosts;
    },
  });
  const kube = options.kube
    ? new KubeRoutes(
        { ...options.kube, ...(options.streams ? { streams: options.streams } : {}) },
        auth,
      )
    : undefined;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    route(options, auth, kube, req, res).catch((error: unknown) => {
      sendJson(res, 500, {
        error: "INTERNAL",
        message: error instanceof Error ? error.message : String(error),
      });
    });
  };
  const server = options.tls ? httpsServer(options.tls, handle) : createServer(handle);
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const verify = (path: string, upgrade: IncomingMessage) =>
      auth.verify("GET", path, {
        get: (name) => {
          const value = upgrade.headers[name];
          return typeof value === "string" ? value : null;
        },
      });
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (kube && isKubeRoute(path)) {
      kube.upgrade(req, socket, head).catch(() => socket.destroy());
      return;
    }
    serveUpgrade(options.streams, verify, req, socket, head).catch(() => socket.destroy());
  });
  const listening = await listenOn(server, listen, options.tls ? "https" : "http");
  return {
    url: listening.url,
    // Open streams end with their trailer first, so clients see a clean end, not a reset.
    close: async () => {
      await options.streams?.close();
      await listening.close();
    },
  };
}

function httpsServer(
  credentials: () => { key: string; cert: string },
  handle: (req: IncomingMessage, res: ServerResponse) => void,
) {
  try {
    return createHttpsServer({ ...credentials(), ALPNProtocols: ["http/1.1"] }, handle);
  } catch (error) {
    throw new ApiTlsError(error);
  }
}

/**
 * Host header values the API answers signed requests under: loopback names and the listen
 * address with the bound port, and the configured public names. A header signed for another
 * host (another control plane, or this one under a name it does not claim) is refused.
 */
export function apiHosts(
  listenHost: string,
  port: number,
  publicHosts: readonly string[] = [],
): ReadonlySet<string> {
  const withPort = (host: string) => `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const names = ["localhost", "127.0.0.1", "::1"];
  const wildcard = listenHost === "" || listenHost === "0.0.0.0" || listenHost === "::";
  if (!wildcard) names.push(listenHost.replace(/^\[(.*)\]$/, "$1"));
  return new Set([...names.map(withPort), ...publicHosts].map((host) => host.toLowerCase()));
}

async function route(
  options: ApiOptions,
  auth: RequestAuthenticator,
  kube: KubeRoutes | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  if (kube && isKubeRoute(path)) return kube.serve(req, res, url);
  if (req.method !== "GET")
    return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", message: "only GET is served" });
  if (path === "/healthz") return sendJson(res, 200, { status: "ok", ...options.info });
  if (path === "/readyz") return readiness(options, res);
  if (path === "/get_attestation") return serveAttestation(options.attest, url, res);
  if (path === "/metrics") {
    res.writeHead(200, { "content-type": options.registry.contentType });
    res.end(await options.registry.metrics());
    return;
  }
  if (path === "/v1/requests" || path.startsWith("/v1/requests/"))
    return requests(options, auth, req, res, url);
  const usageOf = options.billing ? usageRouteNamespace(path) : undefined;
  if (options.billing && usageOf) {
    const requester = await authenticate(auth, req, res, url);
    if (requester === undefined) return;
    return serveUsage(options.billing, requester, usageOf, res);
  }
  if (options.streams && isStreamsRoute(path)) {
    const requester = await authenticate(auth, req, res, url);
    if (requester === undefined) return;
    return serveStreamsRoute(options.streams, requester, res, url);
  }
  return sendJson(res, 404, { error: "NOT_FOUND", message: `no route ${path}` });
}

async function readiness(options: ApiOptions, res: ServerResponse): Promise<void> {
  const results = await Promise.all(
    options.readiness.map(async (check) => {
      try {
        return { name: check.name, ...(await check.check()) };
      } catch (error) {
        return {
          name: check.name,
          ok: false,
          detail: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
  const ready = results.every((result) => result.ok);
  sendJson(res, ready ? 200 : 503, { ready, checks: results, ...options.info });
}

async function requests(
  options: ApiOptions,
  auth: RequestAuthenticator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const address = await authenticate(auth, req, res, url);
  if (address === undefined) return;
  if (url.pathname === "/v1/requests") {
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 50) || 50, MAX_LIST);
    return sendJson(res, 200, { requests: options.requests.byRequester(address, limit).map(view) });
  }
  const match = /^\/v1\/requests\/(\d{1,20})(\/output)?$/.exec(url.pathname);
  if (!match?.[1])
    return sendJson(res, 404, {
      error: "NOT_FOUND",
      message: "expected /v1/requests/<id>[/output]",
    });
  const request = options.requests.get(BigInt(match[1]));
  // The same answer for "absent" and "someone else's", so ids reveal nothing.
  if (!request || request.requester !== address) {
    return sendJson(res, 404, {
      error: "REQUEST_NOT_FOUND",
      message: `no request ${match[1]} of yours`,
    });
  }
  if (match[2]) {
    if (!request.outcome)
      return sendJson(res, 409, {
        error: "NOT_FINISHED",
        message: `request ${match[1]} is ${request.state}`,
      });
    // The exact bytes whose sha256 is on chain.
    res.writeHead(200, { "content-type": "application/json" });
    res.end(request.outcome.json);
    return;
  }
  return sendJson(res, 200, view(request));
}

/** The requester's address, or undefined once a refusal has been sent. */
async function authenticate(
  auth: RequestAuthenticator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<string | undefined> {
  try {
    return await auth.verify(req.method ?? "GET", url.pathname, {
      get: (name) => {
        const value = req.headers[name];
        return typeof value === "string" ? value : null;
      },
    });
  } catch (error) {
    if (error instanceof AuthError) {
      sendJson(res, authErrorStatus(error.code), { error: error.code, message: error.message });
      return undefined;
    }
    throw error;
  }
}

function view(request: InboxRequest) {
  return {
    requestId: String(request.requestId),
    state: request.state,
    method: request.method,
    resource: request.resource,
    namespace: request.namespace,
    name: request.name,
    priority: request.priority,
    submittedTx: request.txDigest,
    ...(request.outcome
      ? {
          statusCode: request.outcome.statusCode,
          errorCode: request.outcome.errorCode,
          summary: request.outcome.summary,
          outputSha256: Buffer.from(request.outcome.outputSha256).toString("hex"),
        }
      : {}),
    ...(request.reportDigest ? { resultTx: request.reportDigest } : {}),
  };
}
