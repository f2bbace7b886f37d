import type { IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import {
  type ControlCall,
  type ControlTarget,
  controlCall,
  readBody,
  signedFor,
} from "./control-link.ts";
import { GatewayError } from "./errors.ts";

/** A control plane answer: status, headers and the body as a stream (a watch stays open). */
export interface ControlResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** Get a new token this long before the control plane's 5 minutes run out. */
const RENEW_BEFORE_MS = 60_000;

/**
 * A session token of nautilus-control's /v2 API (`POST /v2/kube-session`): one signature
 * for kubectl's bursts of calls instead of one per call. Renewed before it expires, and
 * once more when the control plane forgot it (a restart): its 401 says AUTH_TOKEN_UNKNOWN.
 */
export class KubeSession {
  readonly #target: ControlTarget;
  #token: Promise<{ token: string; expiresAtMs: number }> | undefined;

  constructor(target: ControlTarget) {
    this.#target = target;
  }

  /** Sends `call` with the session's bearer token; `body` must be replayable (a buffer). */
  async send(call: ControlCall, body?: Buffer, signal?: AbortSignal): Promise<ControlResponse> {
    for (let attempt = 0; ; attempt++) {
      const { token } = await this.#current();
      const response = await controlCall(
        this.#target,
        { ...call, headers: { ...call.headers, authorization: `Bearer ${token}` } },
        body,
        signal,
      );
      const statusCode = response.statusCode ?? 502;
      if (statusCode !== 401 || attempt > 0) {
        return { statusCode, headers: response.headers, body: response };
      }
      const text = await readBody(response);
      if (!text.includes("AUTH_TOKEN_UNKNOWN")) {
        return { statusCode, headers: response.headers, body: Readable.from([text]) };
      }
      this.#token = undefined;
    }
  }

  /** The bearer header for a call the caller sends itself (a WebSocket upgrade). */
  async authorization(): Promise<string> {
    return `Bearer ${(await this.#current()).token}`;
  }

  #current(): Promise<{ token: string; expiresAtMs: number }> {
    const held = this.#token;
    if (held) {
      return held.then((token) =>
        token.expiresAtMs - Date.now() > RENEW_BEFORE_MS ? token : this.#renew(),
      );
    }
    return this.#renew();
  }

  #renew(): Promise<{ token: string; expiresAtMs: number }> {
    const fresh = (async () => {
      const path = "/v2/kube-session";
      const headers = await signedFor(this.#target, "POST", path);
      const response = await controlCall(this.#target, {
        method: "POST",
        pathAndQuery: path,
        headers,
      });
      const text = (await readBody(response)).toString("utf8");
      if (response.statusCode !== 200) {
        throw new GatewayError(
          "CONTROL_SESSION_REFUSED",
          `nautilus-control refused a /v2 session (${response.statusCode}): ${text.slice(0, 300)}`,
        );
      }
      const parsed = JSON.parse(text) as { token?: unknown; expiresAtMs?: unknown };
      if (typeof parsed.token !== "string" || typeof parsed.expiresAtMs !== "number") {
        throw new GatewayError("CONTROL_SESSION_REFUSED", "the /v2 session answer has no token");
      }
      return { token: parsed.token, expiresAtMs: parsed.expiresAtMs };
    })();
    this.#token = fresh;
    fresh.catch(() => {
      if (this.#token === fresh) this.#token = undefined;
    });
    return fresh;
  }
}
