import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import {
  type ClientUpgrade,
  parseLogQuery,
  refuseUpgrade,
  StreamError,
  type StreamsService,
} from "../streams/index.ts";
import { sendJson } from "./serve.ts";

const DNS_LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
const DNS_SUBDOMAIN = "[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?";
const LOG = new RegExp(`^/v1/namespaces/(${DNS_LABEL})/pods/(${DNS_SUBDOMAIN})/log$`);
const EVENTS = new RegExp(`^/v1/namespaces/(${DNS_LABEL})/events$`);
const OBJECT = new RegExp(`^/v1/namespaces/(${DNS_LABEL})/([a-z0-9.]{1,100})/(${DNS_SUBDOMAIN})$`);

const EXEC = new RegExp(
  `^/v1/namespaces/(${DNS_LABEL})/pods/(${DNS_SUBDOMAIN})/(exec|attach|portforward)$`,
);

/**
 * An upgrade request: `GET /v1/namespaces/<ns>/pods/<pod>/exec?command=…&stdin&tty` or
 * `/attach?stdin&tty` as a WebSocket (v5.channel.k8s.io or v4), authenticated by
 * `authenticate` (the signed headers on the upgrade request). Refusals close the WebSocket
 * with 4000 + the HTTP status and `CODE: message`.
 */
export async function serveUpgrade(
  streams: StreamsService | undefined,
  authenticate: (path: string, req: IncomingMessage) => Promise<string>,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const client = upgradeClient(req, socket, head);
  if (!client) return;
  const url = new URL(req.url ?? "/", "http://localhost");
  const match = EXEC.exec(url.pathname);
  if (!streams || !match?.[1] || !match[2] || !match[3]) {
    return refuseUpgrade(client, {
      code: "NOT_FOUND",
      statusCode: 404,
      message: `no route ${url.pathname}`,
    });
  }
  let requester: string;
  try {
    requester = await authenticate(url.pathname, req);
  } catch (error) {
    const code = (error as { code?: string }).code ?? "AUTH_INVALID";
    return refuseUpgrade(client, {
      code,
      statusCode: 401,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  await streams.exec(
    requester,
    match[1],
    match[2],
    match[3] as "exec" | "attach" | "portforward",
    url.searchParams,
    client,
  );
}

/**
 * The WebSocket client of an upgrade request, or undefined once it was answered 400 (not a
 * WebSocket upgrade).
 */
export function upgradeClient(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): ClientUpgrade | undefined {
  const key = req.headers["sec-websocket-key"];
  if (req.headers.upgrade?.toLowerCase() !== "websocket" || typeof key !== "string") {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return undefined;
  }
  return {
    socket,
    head,
    key,
    protocols: String(req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
  };
}

/** Whether `path` is one of the tenant read/stream routes (under /v1/namespaces/, /v1/sessions). */
export function isStreamsRoute(path: string): boolean {
  return path.startsWith("/v1/namespaces/") || path === "/v1/sessions";
}

/**
 * The tenant's reads of its namespace, for an authenticated `requester`:
 *
 *     GET /v1/namespaces/<ns>/pods/<pod>/log[?container&follow&previous&timestamps&tail&since]
 *     GET /v1/namespaces/<ns>/events
 *     GET /v1/namespaces/<ns>/<resource>/<name>      the object and its events (describe)
 *
 * Refusals are JSON `{error, message}` with a stable code (see src/control/streams/errors.ts).
 */
export async function serveStreamsRoute(
  streams: StreamsService,
  requester: string,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  try {
    const path = url.pathname;
    if (path === "/v1/sessions") {
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 50) || 50, 200);
      return sendJson(res, 200, { sessions: streams.sessions(requester, limit) });
    }
    const log = LOG.exec(path);
    if (log?.[1] && log[2]) {
      const options = parseLogQuery(url.searchParams);
      const clientGone = new AbortController();
      res.on("close", () => clientGone.abort());
      return await streams.podLog(requester, log[1], log[2], options, res, clientGone.signal);
    }
    const events = EVENTS.exec(path);
    if (events?.[1]) {
      return sendJson(res, 200, { items: await streams.events(requester, events[1]) });
    }
    const object = OBJECT.exec(path);
    if (object?.[1] && object[2] && object[3]) {
      return sendJson(res, 200, await streams.describe(requester, object[1], object[2], object[3]));
    }
    return sendJson(res, 404, {
      error: "NOT_FOUND",
      message: "expected /v1/namespaces/<ns>/pods/<pod>/log, /events or /<resource>/<name>",
    });
  } catch (error) {
    if (!(error instanceof StreamError)) throw error;
    streams.refused(error.code);
    if (res.headersSent) {
      res.destroy(error);
      return;
    }
    return sendJson(res, error.statusCode, { error: error.code, message: error.message });
  }
}
