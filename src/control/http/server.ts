import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { InboxRequest, RequestStore } from "../inbox/index.ts";
import { AuthError, verifiedAddress } from "./auth.ts";
import { type ListeningServer, listenOn, sendJson } from "./serve.ts";

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
  const server = createServer((req, res) => {
    route(options, req, res).catch((error: unknown) => {
      sendJson(res, 500, {
        error: "INTERNAL",
        message: error instanceof Error ? error.message : String(error),
      });
    });
  });
  return listenOn(server, listen);
}

async function route(
  options: ApiOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  if (req.method !== "GET")
    return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", message: "only GET is served" });
  if (path === "/healthz") return sendJson(res, 200, { status: "ok", ...options.info });
  if (path === "/readyz") return readiness(options, res);
  if (path === "/metrics") {
    res.writeHead(200, { "content-type": options.registry.contentType });
    res.end(await options.registry.metrics());
    return;
  }
  if (path === "/v1/requests" || path.startsWith("/v1/requests/"))
    return requests(options, req, res, url);
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
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  let address: string;
  try {
    address = await verifiedAddress("GET", url.pathname, {
      get: (name) => {
        const value = req.headers[name];
        return typeof value === "string" ? value : null;
      },
    });
  } catch (error) {
    if (error instanceof AuthError)
      return sendJson(res, 401, { error: error.code, message: error.message });
    throw error;
  }
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
