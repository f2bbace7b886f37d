import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  generateX25519KeyPair,
  type X25519KeyPair,
  x25519KeyPairFromPkcs8,
  x25519Pkcs8,
} from "../protocol/index.ts";
import { type EnclaveTlsKey, generateTlsKey, tlsKeyFromPkcs8, tlsKeyPkcs8 } from "./tls-key.ts";

/**
 * The keys that speak for the enclave. The ed25519 key only signs the payloads the Move
 * package verifies (`IntentMessage` bytes); it never pays gas or sends transactions — the
 * operator key does. The X25519 encryption key, registered on chain with it (a Nitro
 * attestation's `user_data`), opens the request payloads tenants seal to the enclave; the
 * TLS key, whose hash is registered the same way, serves the control plane's API.
 */
export interface EnclaveSigner {
  /** `dev`: keys on disk, NOT attested; `nitro`: generated inside an attested enclave. */
  readonly mode: "dev" | "nitro";
  /** Raw 32-byte ed25519 public key, as registered on chain. */
  readonly publicKey: Uint8Array;
  /** The X25519 key pair payloads are sealed to; its public key is on chain beside `publicKey`. */
  readonly encryptionKey: X25519KeyPair;
  /** The key the API is served over TLS with; its SPKI hash is on chain beside `publicKey`. */
  readonly tlsKey: EnclaveTlsKey;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export class EnclaveKeyError extends Error {
  readonly code: "ENCLAVE_KEY_UNREADABLE" | "ENCLAVE_KEY_INVALID";
  constructor(code: EnclaveKeyError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EnclaveKeyError";
    this.code = code;
  }
}

const DEV_KEY_KIND = "k8s-daas-dev-enclave-key";

interface DevKeyFile {
  kind: typeof DEV_KEY_KIND;
  warning: string;
  /** The ed25519 signing key: PKCS#8 DER, base64. */
  pkcs8: string;
  /** The X25519 encryption key: PKCS#8 DER, base64 (added to older files on first load). */
  encryptionPkcs8?: string;
  /** The ed25519 TLS key: PKCS#8 DER, base64 (added to older files on first load). */
  tlsPkcs8?: string;
}

const DEV_KEY_WARNING =
  "DEVELOPMENT ENCLAVE KEY: not attested, not for production; anyone with this file can sign results, read sealed payloads and impersonate the control plane's TLS";

/**
 * A development stand-in for the enclave keys: generated once, kept in a 0600 file, and
 * plainly marked. A chain only accepts them while the cluster allows dev enclaves. A file
 * from before sealed payloads or TLS (signing key only) gains the missing keys, written back.
 */
export function loadDevEnclaveSigner(path: string): EnclaveSigner {
  let privateKey: KeyObject;
  let encryptionKey: X25519KeyPair | undefined;
  let tlsKey: EnclaveTlsKey | undefined;
  if (existsSync(path)) {
    let parsed: DevKeyFile;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8")) as DevKeyFile;
    } catch (error) {
      throw new EnclaveKeyError(
        "ENCLAVE_KEY_UNREADABLE",
        `cannot read the dev enclave key at ${path}`,
        {
          cause: error,
        },
      );
    }
    if (parsed.kind !== DEV_KEY_KIND || typeof parsed.pkcs8 !== "string") {
      throw new EnclaveKeyError(
        "ENCLAVE_KEY_INVALID",
        `${path} is not a k8s-daas dev enclave key file`,
      );
    }
    try {
      privateKey = createPrivateKey({
        key: Buffer.from(parsed.pkcs8, "base64"),
        format: "der",
        type: "pkcs8",
      });
    } catch (error) {
      throw new EnclaveKeyError("ENCLAVE_KEY_INVALID", `${path} holds no valid ed25519 key`, {
        cause: error,
      });
    }
    if (privateKey.asymmetricKeyType !== "ed25519") {
      throw new EnclaveKeyError(
        "ENCLAVE_KEY_INVALID",
        `${path} holds a ${privateKey.asymmetricKeyType} key, not ed25519`,
      );
    }
    if (parsed.encryptionPkcs8 !== undefined) {
      try {
        encryptionKey = x25519KeyPairFromPkcs8(Buffer.from(parsed.encryptionPkcs8, "base64"));
      } catch (error) {
        throw new EnclaveKeyError(
          "ENCLAVE_KEY_INVALID",
          `${path} holds no valid x25519 encryption key`,
          { cause: error },
        );
      }
    }
    if (parsed.tlsPkcs8 !== undefined) {
      try {
        tlsKey = tlsKeyFromPkcs8(Buffer.from(parsed.tlsPkcs8, "base64"));
      } catch (error) {
        throw new EnclaveKeyError("ENCLAVE_KEY_INVALID", `${path} holds no valid ed25519 TLS key`, {
          cause: error,
        });
      }
    }
  } else {
    privateKey = generateKeyPairSync("ed25519").privateKey;
  }
  if (!encryptionKey || !tlsKey) {
    encryptionKey ??= generateX25519KeyPair();
    tlsKey ??= generateTlsKey();
    writeDevKeyFile(path, privateKey, encryptionKey, tlsKey);
  }
  return {
    mode: "dev",
    publicKey: rawEd25519PublicKey(privateKey),
    encryptionKey,
    tlsKey,
    sign: async (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

/** The 32 raw bytes of an ed25519 key's public half, as the chain registers it. */
export function rawEd25519PublicKey(privateKey: KeyObject): Uint8Array {
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return new Uint8Array(spki.subarray(spki.length - 32));
}

function writeDevKeyFile(
  path: string,
  signing: KeyObject,
  encryption: X25519KeyPair,
  tls: EnclaveTlsKey,
): void {
  mkdirSync(dirname(path), { recursive: true });
  const file: DevKeyFile = {
    kind: DEV_KEY_KIND,
    warning: DEV_KEY_WARNING,
    pkcs8: signing.export({ format: "der", type: "pkcs8" }).toString("base64"),
    encryptionPkcs8: Buffer.from(x25519Pkcs8(encryption)).toString("base64"),
    tlsPkcs8: tlsKeyPkcs8(tls).toString("base64"),
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
