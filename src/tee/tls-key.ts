import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { tlsKeySha256 } from "../protocol/index.ts";
import { selfSignedCertificate } from "./self-signed-certificate.ts";

/**
 * The enclave's TLS key: nautilus-control serves its API with it, and the SHA-256 of its
 * public key is registered on chain beside the signing key, so clients pin the control
 * plane without a CA. ed25519: small, deterministic signatures, accepted by Node's and
 * OpenSSL's TLS 1.3.
 */
export interface EnclaveTlsKey {
  readonly privateKey: KeyObject;
  /** SHA-256 of the DER SubjectPublicKeyInfo, as registered on chain. */
  readonly spkiSha256: Uint8Array;
}

export function generateTlsKey(): EnclaveTlsKey {
  return tlsKeyOf(generateKeyPairSync("ed25519").privateKey);
}

/** Throws unless `pkcs8` holds an ed25519 private key. */
export function tlsKeyFromPkcs8(pkcs8: Uint8Array): EnclaveTlsKey {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" });
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new TypeError(`a ${privateKey.asymmetricKeyType} key, not ed25519`);
  return tlsKeyOf(privateKey);
}

export function tlsKeyPkcs8(key: EnclaveTlsKey): Buffer {
  return key.privateKey.export({ format: "der", type: "pkcs8" });
}

function tlsKeyOf(privateKey: KeyObject): EnclaveTlsKey {
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { privateKey, spkiSha256: tlsKeySha256(spki) };
}

/**
 * `key` and `cert` for `https.createServer`: a fresh self-signed certificate around the
 * enclave's TLS key (only the key is pinned, so the certificate may be made anew on every
 * start), naming the hosts the API answers under.
 */
export function tlsServerCredentials(
  key: EnclaveTlsKey,
  hosts: { dnsNames: readonly string[]; ipAddresses: readonly string[] },
): { key: string; cert: string } {
  const certificate = selfSignedCertificate(key.privateKey, {
    commonName: "nautilus-control",
    ...hosts,
  });
  return {
    key: key.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    cert: certificate.pem,
  };
}
