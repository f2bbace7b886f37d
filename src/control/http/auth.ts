import type { Signer } from "@mysten/sui/cryptography";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { verifyPersonalMessageSignature } from "@mysten/sui/verify";

/**
 * Requesters prove who they are by signing a Sui personal message that names the exact
 * method, path and an expiry: `k8s-daas:v1:GET /v1/requests/42:1732630000000`. No session,
 * no shared secret; a captured header is useless after its (short) expiry and on any other
 * path.
 */
export const SIGNATURE_HEADER = "x-k8s-daas-signature";
export const EXPIRES_HEADER = "x-k8s-daas-expires";
/** How far ahead a client may set the expiry. */
export const MAX_VALIDITY_MS = 5 * 60_000;

export function authMessage(method: string, path: string, expiresAtMs: number): Uint8Array {
  return new TextEncoder().encode(`k8s-daas:v1:${method.toUpperCase()} ${path}:${expiresAtMs}`);
}

/** Client side: the headers to send with a request to the control plane's API. */
export async function signedHeaders(
  signer: Signer,
  method: string,
  path: string,
  validityMs = 60_000,
  now = Date.now(),
): Promise<Record<string, string>> {
  const expires = now + Math.min(validityMs, MAX_VALIDITY_MS);
  const { signature } = await signer.signPersonalMessage(authMessage(method, path, expires));
  return { [SIGNATURE_HEADER]: signature, [EXPIRES_HEADER]: String(expires) };
}

export class AuthError extends Error {
  readonly code: "AUTH_MISSING" | "AUTH_EXPIRED" | "AUTH_INVALID";
  constructor(code: AuthError["code"], message: string) {
    super(message);
    this.name = "AuthError";
    this.code = code;
  }
}

/** Server side: the Sui address that signed this request, or an AuthError. */
export async function verifiedAddress(
  method: string,
  path: string,
  headers: { get(name: string): string | null },
  now = Date.now(),
): Promise<string> {
  const signature = headers.get(SIGNATURE_HEADER);
  const expiresText = headers.get(EXPIRES_HEADER);
  if (!signature || !expiresText) {
    throw new AuthError(
      "AUTH_MISSING",
      `sign the request: headers ${SIGNATURE_HEADER} and ${EXPIRES_HEADER} are required`,
    );
  }
  const expires = Number(expiresText);
  if (!Number.isSafeInteger(expires))
    throw new AuthError("AUTH_INVALID", `${EXPIRES_HEADER} is not a number`);
  if (expires <= now) throw new AuthError("AUTH_EXPIRED", "the signature has expired; sign again");
  if (expires > now + MAX_VALIDITY_MS + 30_000) {
    throw new AuthError(
      "AUTH_INVALID",
      `expiry is more than ${MAX_VALIDITY_MS / 60_000} minutes ahead`,
    );
  }
  try {
    const publicKey = await verifyPersonalMessageSignature(
      authMessage(method, path, expires),
      signature,
    );
    return normalizeSuiAddress(publicKey.toSuiAddress());
  } catch {
    throw new AuthError(
      "AUTH_INVALID",
      "the signature does not match this method, path and expiry",
    );
  }
}
