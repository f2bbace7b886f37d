import { createHash, randomBytes } from "node:crypto";
import type { Signer } from "@mysten/sui/cryptography";
import { normalizeSuiAddress, normalizeSuiObjectId } from "@mysten/sui/utils";
import { verifyPersonalMessageSignature } from "@mysten/sui/verify";

/**
 * Requesters prove who they are by signing a Sui personal message that names the control
 * plane it is meant for (the cluster id and the host the client connects to), the exact
 * method and path, an expiry and a random nonce:
 * `k8s-daas:v2:0x…cluster:control.example:8443:GET /v1/requests/42:1732630000000:<nonce>`.
 * No session, no shared secret. A captured header is refused by any other control plane
 * (another cluster, or the same cluster under another host name), on any other path, after
 * its (short) expiry, and a second time at all (the server remembers what it accepted until
 * it expires).
 */
export const SIGNATURE_HEADER = "x-k8s-daas-signature";
export const EXPIRES_HEADER = "x-k8s-daas-expires";
export const NONCE_HEADER = "x-k8s-daas-nonce";
/**
 * The cluster the client signed for. The server checks the signature against its own
 * cluster id whatever this says; the header only turns a client pointed at the wrong
 * control plane into a clear AUTH_WRONG_AUDIENCE instead of a bare AUTH_INVALID.
 */
export const CLUSTER_HEADER = "x-k8s-daas-cluster";
/** How far ahead a client may set the expiry. */
export const MAX_VALIDITY_MS = 5 * 60_000;
/** Clock skew tolerated on top of MAX_VALIDITY_MS. */
const SKEW_MS = 30_000;
const NONCE = /^[0-9a-f]{32}$/;

/** Which control plane a header is for: the cluster it serves and the host it is reached at. */
export interface Audience {
  clusterId: string;
  /** `host[:port]` as in the HTTP Host header (the port only when not the default). */
  host: string;
}

export function authMessage(
  audience: Audience,
  method: string,
  path: string,
  expiresAtMs: number,
  nonce: string,
): Uint8Array {
  const cluster = normalizeSuiObjectId(audience.clusterId);
  const host = audience.host.toLowerCase();
  return new TextEncoder().encode(
    `k8s-daas:v2:${cluster}:${host}:${method.toUpperCase()} ${path}:${expiresAtMs}:${nonce}`,
  );
}

/**
 * Client side: the headers for one request to the control plane at `url` (its host is
 * what gets signed, as the Host header the request will carry). Sign each request anew:
 * the server accepts a header once.
 */
export async function signedHeaders(
  signer: Signer,
  request: { clusterId: string; method: string; url: string; validityMs?: number; now?: number },
): Promise<Record<string, string>> {
  const url = new URL(request.url);
  const expires =
    (request.now ?? Date.now()) + Math.min(request.validityMs ?? 60_000, MAX_VALIDITY_MS);
  const nonce = randomBytes(16).toString("hex");
  const audience = { clusterId: request.clusterId, host: url.host };
  const { signature } = await signer.signPersonalMessage(
    authMessage(audience, request.method, signedTarget(url), expires, nonce),
  );
  return {
    [SIGNATURE_HEADER]: signature,
    [EXPIRES_HEADER]: String(expires),
    [NONCE_HEADER]: nonce,
    [CLUSTER_HEADER]: normalizeSuiObjectId(request.clusterId),
  };
}

/**
 * What a header signs of the request target: the path, and for the `/v2/` routes (the
 * kubectl gateway's, whose queries select what is read: `?watch`, `?labelSelector`) the
 * query as well, exactly as sent.
 */
export function signedTarget(url: URL): string {
  return url.pathname.startsWith("/v2/") ? `${url.pathname}${url.search}` : url.pathname;
}

export type AuthErrorCode =
  | "AUTH_MISSING"
  | "AUTH_EXPIRED"
  | "AUTH_INVALID"
  /** Signed for another cluster, or sent under a host name this control plane does not have. */
  | "AUTH_WRONG_AUDIENCE"
  /** This exact signed header was accepted before. */
  | "AUTH_REPLAYED"
  /** The replay cache is full (a flood of signed requests): try again shortly. */
  | "AUTH_BUSY"
  /** A bearer token this control plane did not issue, or one that has expired. */
  | "AUTH_TOKEN_UNKNOWN";

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string) {
    super(message);
    this.name = "AuthError";
    this.code = code;
  }
}

/** HTTP status for an AuthError. */
export function authErrorStatus(code: AuthErrorCode): number {
  return code === "AUTH_BUSY" ? 503 : 401;
}

export interface RequestAuthenticatorOptions {
  /** The cluster this control plane serves. */
  clusterId: string;
  /** Host names (`host[:port]`, lower case) requests may carry in their Host header. */
  hosts: () => ReadonlySet<string>;
  now?: () => number;
  /** Most accepted headers remembered at once (default 100,000: ~10 MB). */
  maxRemembered?: number;
}

/**
 * Server side of the signed headers: checks audience, expiry and signature, and refuses a
 * header it accepted before. The replay cache holds each accepted header until its expiry
 * (after which the expiry check refuses it anyway), in buckets by expiry second, so memory
 * is bounded by the requests of one validity window.
 */
export class RequestAuthenticator {
  readonly #clusterId: string;
  readonly #hosts: () => ReadonlySet<string>;
  readonly #now: () => number;
  readonly #max: number;
  /** Message hash → expiry. */
  readonly #seen = new Map<string, number>();
  /** Expiry second → message hashes expiring then. */
  readonly #byExpiry = new Map<number, string[]>();
  #purgedAt = 0;

  constructor(options: RequestAuthenticatorOptions) {
    this.#clusterId = normalizeSuiObjectId(options.clusterId);
    this.#hosts = options.hosts;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxRemembered ?? 100_000;
  }

  /** How many accepted headers are remembered now (for tests and metrics). */
  get remembered(): number {
    return this.#seen.size;
  }

  /** The Sui address that signed this request, or an AuthError. */
  async verify(
    method: string,
    path: string,
    headers: { get(name: string): string | null },
  ): Promise<string> {
    const signature = headers.get(SIGNATURE_HEADER);
    const expiresText = headers.get(EXPIRES_HEADER);
    const nonce = headers.get(NONCE_HEADER);
    if (!signature || !expiresText || !nonce) {
      throw new AuthError(
        "AUTH_MISSING",
        `sign the request: headers ${SIGNATURE_HEADER}, ${EXPIRES_HEADER} and ${NONCE_HEADER} are required`,
      );
    }
    const now = this.#now();
    const expires = Number(expiresText);
    if (!Number.isSafeInteger(expires))
      throw new AuthError("AUTH_INVALID", `${EXPIRES_HEADER} is not a number`);
    if (expires <= now)
      throw new AuthError("AUTH_EXPIRED", "the signature has expired; sign again");
    if (expires > now + MAX_VALIDITY_MS + SKEW_MS) {
      throw new AuthError(
        "AUTH_INVALID",
        `expiry is more than ${MAX_VALIDITY_MS / 60_000} minutes ahead`,
      );
    }
    if (!NONCE.test(nonce))
      throw new AuthError("AUTH_INVALID", `${NONCE_HEADER} must be 32 hex digits`);
    const claimed = headers.get(CLUSTER_HEADER);
    if (claimed !== null && !this.#isOwnCluster(claimed)) {
      throw new AuthError(
        "AUTH_WRONG_AUDIENCE",
        `signed for cluster ${claimed}; this control plane serves ${this.#clusterId}`,
      );
    }
    const host = (headers.get("host") ?? "").toLowerCase();
    if (!this.#hosts().has(host)) {
      throw new AuthError(
        "AUTH_WRONG_AUDIENCE",
        `host "${host}" is not a name of this control plane; sign for the host you connect to`,
      );
    }
    const message = authMessage({ clusterId: this.#clusterId, host }, method, path, expires, nonce);
    let address: string;
    try {
      const publicKey = await verifyPersonalMessageSignature(message, signature);
      address = normalizeSuiAddress(publicKey.toSuiAddress());
    } catch {
      throw new AuthError(
        "AUTH_INVALID",
        "the signature does not match this control plane, method, path, expiry and nonce",
      );
    }
    this.#remember(createHash("sha256").update(message).digest("base64"), expires);
    return address;
  }

  #isOwnCluster(claimed: string): boolean {
    try {
      return normalizeSuiObjectId(claimed) === this.#clusterId;
    } catch {
      return false;
    }
  }

  /** Records an accepted message; AUTH_REPLAYED when it was accepted before. */
  #remember(key: string, expires: number): void {
    this.#purge();
    if (this.#seen.has(key))
      throw new AuthError("AUTH_REPLAYED", "this signed header was used before; sign again");
    if (this.#seen.size >= this.#max)
      throw new AuthError("AUTH_BUSY", "too many signed requests at once; try again shortly");
    this.#seen.set(key, expires);
    const second = Math.floor(expires / 1000);
    const bucket = this.#byExpiry.get(second);
    if (bucket) bucket.push(key);
    else this.#byExpiry.set(second, [key]);
  }

  /** Forgets what has expired, at most once a second (buckets: one per second of validity). */
  #purge(): void {
    const now = this.#now();
    if (now - this.#purgedAt < 1_000 && this.#seen.size < this.#max) return;
    this.#purgedAt = now;
    for (const [second, keys] of this.#byExpiry) {
      if ((second + 1) * 1000 > now) continue;
      for (const key of keys) this.#seen.delete(key);
      this.#byExpiry.delete(second);
    }
  }
}
