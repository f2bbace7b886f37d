import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The key that speaks for the enclave. It only signs the payloads the Move package verifies
 * (`IntentMessage` bytes); it never pays gas or sends transactions — the operator key does.
 */
export interface EnclaveSigner {
  /** `dev`: a key on disk, NOT attested; `nitro`: generated inside an attested enclave. */
  readonly mode: "dev" | "nitro";
  /** Raw 32-byte ed25519 public key, as registered on chain. */
  readonly publicKey: Uint8Array;
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
  /** PKCS#8 DER, base64. */
  pkcs8: string;
}

/**
 * A development stand-in for the enclave key: generated once, kept in a 0600 file, and
 * plainly marked. A chain only accepts it while the cluster allows dev enclaves.
 */
export function loadDevEnclaveSigner(path: string): EnclaveSigner {
  let privateKey: KeyObject;
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
  } else {
    privateKey = generateKeyPairSync("ed25519").privateKey;
    mkdirSync(dirname(path), { recursive: true });
    const file: DevKeyFile = {
      kind: DEV_KEY_KIND,
      warning:
        "DEVELOPMENT ENCLAVE KEY: not attested, not for production; anyone with this file can sign results",
      pkcs8: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
    };
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  return {
    mode: "dev",
    publicKey,
    sign: async (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}
