import { createHash } from "node:crypto";

/**
 * What the chain registers for the control plane's TLS key, and what clients compare the
 * key a server presents with: SHA-256 of its DER SubjectPublicKeyInfo (the key, whatever
 * certificate wraps it, as in HPKP and DANE's SPKI selector).
 */
export function tlsKeySha256(spkiDer: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(spkiDer).digest());
}
