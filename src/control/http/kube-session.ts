import { randomBytes } from "node:crypto";

/** How long a session token is accepted after it was issued. */
export const KUBE_SESSION_TTL_MS = 5 * 60_000;
/** Most live tokens per address; issuing another drops that address's oldest. */
const MAX_TOKENS_PER_ADDRESS = 16;

interface Session {
  address: string;
  expiresAtMs: number;
}

/**
 * Short-lived bearer tokens for the kubectl gateway's reads: kubectl sends bursts of
 * discovery calls, and signing each costs the tenant's wallet a signature. One signed
 * `POST /v2/kube-session` issues a token bound to the signer's address (and, by living in
 * this process only, to this control plane and its cluster); it is never written anywhere, so
 * a restart forgets every token and clients sign for a new one.
 */
export class KubeSessions {
  readonly #byToken = new Map<string, Session>();
  readonly #byAddress = new Map<string, string[]>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  issue(address: string): { token: string; expiresAtMs: number } {
    this.#purge();
    const token = randomBytes(32).toString("base64url");
    const expiresAtMs = this.#now() + KUBE_SESSION_TTL_MS;
    this.#byToken.set(token, { address, expiresAtMs });
    const tokens = this.#byAddress.get(address) ?? [];
    tokens.push(token);
    while (tokens.length > MAX_TOKENS_PER_ADDRESS) {
      const oldest = tokens.shift();
      if (oldest !== undefined) this.#byToken.delete(oldest);
    }
    this.#byAddress.set(address, tokens);
    return { token, expiresAtMs };
  }

  /** The address a live token was issued to, or undefined (unknown or expired). */
  addressOf(token: string): string | undefined {
    const session = this.#byToken.get(token);
    if (!session) return undefined;
    if (session.expiresAtMs <= this.#now()) {
      this.#forget(token, session.address);
      return undefined;
    }
    return session.address;
  }

  /** How many tokens are held (tests, metrics). */
  get size(): number {
    return this.#byToken.size;
  }

  #forget(token: string, address: string): void {
    this.#byToken.delete(token);
    const left = (this.#byAddress.get(address) ?? []).filter((t) => t !== token);
    if (left.length === 0) this.#byAddress.delete(address);
    else this.#byAddress.set(address, left);
  }

  #purge(): void {
    const now = this.#now();
    for (const [token, session] of this.#byToken) {
      if (session.expiresAtMs <= now) this.#forget(token, session.address);
    }
  }
}
