import type { ServerResponse } from "node:http";
import { parseLogQuery, StreamError, type StreamsService } from "../streams/index.ts";
import { sendJson } from "./serve.ts";

const DNS_LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
const DNS_SUBDOMAIN = "[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?";
const LOG = new RegExp(`^/v1/namespaces/(${DNS_LABEL})/pods/(${DNS_SUBDOMAIN})/log$`);
const EVENTS = new RegExp(`^/v1/namespaces/(${DNS_LABEL})/events$`);
const OBJECT = new RegExp(`^/v1/namespaces/(${DNS_LABEL})/([a-z0-9.]{1,100})/(${DNS_SUBDOMAIN})$`);

/** Whether `path` is one of the tenant read/stream routes (all under /v1/namespaces/). */
export function isStreamsRoute(path: string): boolean {
  return path.startsWith("/v1/namespaces/");
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
