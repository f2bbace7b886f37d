import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { LIMITS } from "./constants.ts";

export type JoinCredentialErrorCode =
  | "WORKER_KEY_UNREADABLE"
  | "JOIN_CREDENTIAL_MALFORMED"
  | "JOIN_CREDENTIAL_UNREADABLE"
  | "JOIN_CREDENTIAL_TOO_LARGE";

/** A join credential or worker key that cannot be sealed, opened or read. */
export class JoinCredentialError extends Error {
  readonly code: JoinCredentialErrorCode;
  constructor(code: JoinCredentialErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "JoinCredentialError";
    this.code = code;
  }
}

/**
 * The join credential the control plane hands a newly admitted worker, and its encryption
 * to that worker's own x25519 key (registered on chain as `encryption_key`). It travels in
 * the public `activate_worker` event, so only the worker's private key may open it.
 *
 * Sealed format, version 1 (ECIES: ephemeral x25519, HKDF-SHA256, AES-256-GCM):
 *
 * ```
 * offset  size  field
 * 0       1     version = 0x01
 * 1       32    ephemeral x25519 public key
 * 33      12    AES-GCM nonce
 * 45      n     ciphertext of the UTF-8 JSON `JoinCredential`
 * 45+n    16    AES-GCM tag
 * ```
 *
 * key = HKDF-SHA256(ikm = X25519(ephemeral, worker), salt = ephemeral pub || worker pub,
 * info = "k8s-daas/join-credential/v1", 32 bytes). The AEAD's associated data is the version
 * byte, the cluster id and the node id (`0x01 || cluster_id || 0x00 || node_id`), so a
 * credential copied into another worker's activation does not open either.
 */
export interface JoinCredential {
  v: 1;
  /** The cluster's Kubernetes API server (what `k3s agent --server` takes). */
  server: string;
  /** Kubernetes bootstrap token `<id>.<secret>` (what `k3s agent --token` takes). */
  token: string;
  /** Where a simulated worker presents the token to have its node created (control plane). */
  joinUrl: string;
  /** The token's expiry (ms since the epoch). */
  expiresAtMs: number;
}

export interface CredentialContext {
  clusterId: string;
  nodeId: string;
}

export const JOIN_CREDENTIAL_VERSION = 1;
const EPHEMERAL_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + EPHEMERAL_BYTES + NONCE_BYTES;
const HKDF_INFO = Buffer.from("k8s-daas/join-credential/v1");

/** A worker's x25519 key pair; the raw 32-byte public key goes on chain. */
export interface WorkerEncryptionKey {
  readonly privateKey: KeyObject;
  readonly publicKey: Uint8Array;
}

export function generateWorkerEncryptionKey(): WorkerEncryptionKey {
  const { privateKey } = generateKeyPairSync("x25519");
  return { privateKey, publicKey: rawPublicKey(createPublicKey(privateKey)) };
}

/** The key pair from its PKCS#8 DER encoding (how the agent stores it). */
export function workerEncryptionKeyFromPkcs8(der: Uint8Array): WorkerEncryptionKey {
  const privateKey = createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
  if (privateKey.asymmetricKeyType !== "x25519") {
    throw new JoinCredentialError("WORKER_KEY_UNREADABLE", "the worker key is not an x25519 key");
  }
  return { privateKey, publicKey: rawPublicKey(createPublicKey(privateKey)) };
}

export function sealJoinCredential(
  recipientPublicKey: Uint8Array,
  credential: JoinCredential,
  context: CredentialContext,
): Uint8Array {
  if (recipientPublicKey.length !== LIMITS.workerEncryptionKeyBytes) {
    throw new JoinCredentialError(
      "JOIN_CREDENTIAL_MALFORMED",
      `a worker encryption key is ${LIMITS.workerEncryptionKeyBytes} bytes, got ${recipientPublicKey.length}`,
    );
  }
  const ephemeral = generateKeyPairSync("x25519");
  const ephemeralPublic = rawPublicKey(ephemeral.publicKey);
  const key = deriveKey(ephemeral.privateKey, recipientPublicKey, ephemeralPublic);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(associatedData(context));
  const body = Buffer.concat([
    cipher.update(Buffer.from(JSON.stringify(credential), "utf8")),
    cipher.final(),
  ]);
  const sealed = Buffer.concat([
    Buffer.from([JOIN_CREDENTIAL_VERSION]),
    ephemeralPublic,
    nonce,
    body,
    cipher.getAuthTag(),
  ]);
  if (sealed.length > LIMITS.maxJoinCredentialBytes) {
    throw new JoinCredentialError(
      "JOIN_CREDENTIAL_TOO_LARGE",
      `sealed join credential is ${sealed.length} bytes; the chain takes at most ${LIMITS.maxJoinCredentialBytes}`,
    );
  }
  return new Uint8Array(sealed);
}

/** Opens a sealed credential with the worker's private key; any mismatch is UNREADABLE. */
export function openJoinCredential(
  key: WorkerEncryptionKey,
  sealed: Uint8Array,
  context: CredentialContext,
): JoinCredential {
  if (sealed.length < HEADER_BYTES + TAG_BYTES || sealed[0] !== JOIN_CREDENTIAL_VERSION) {
    throw new JoinCredentialError(
      "JOIN_CREDENTIAL_MALFORMED",
      `not a version ${JOIN_CREDENTIAL_VERSION} join credential (${sealed.length} bytes, version ${sealed[0]})`,
    );
  }
  const bytes = Buffer.from(sealed);
  const ephemeralPublic = bytes.subarray(1, 1 + EPHEMERAL_BYTES);
  const nonce = bytes.subarray(1 + EPHEMERAL_BYTES, HEADER_BYTES);
  const body = bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  let plain: Buffer;
  try {
    const derived = deriveKey(
      key.privateKey,
      key.publicKey,
      ephemeralPublic,
      publicKeyObject(ephemeralPublic),
    );
    const decipher = createDecipheriv("aes-256-gcm", derived, nonce);
    decipher.setAAD(associatedData(context));
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (error) {
    throw new JoinCredentialError(
      "JOIN_CREDENTIAL_UNREADABLE",
      `the join credential for ${context.nodeId} does not open with this worker's key (sealed for another key, worker or cluster)`,
      { cause: error },
    );
  }
  return parseCredential(plain.toString("utf8"));
}

function parseCredential(text: string): JoinCredential {
  let value: Partial<JoinCredential>;
  try {
    value = JSON.parse(text) as Partial<JoinCredential>;
  } catch {
    throw new JoinCredentialError("JOIN_CREDENTIAL_MALFORMED", "the join credential is not JSON");
  }
  if (
    value === null ||
    value.v !== JOIN_CREDENTIAL_VERSION ||
    typeof value.server !== "string" ||
    typeof value.token !== "string" ||
    typeof value.joinUrl !== "string" ||
    typeof value.expiresAtMs !== "number"
  ) {
    throw new JoinCredentialError("JOIN_CREDENTIAL_MALFORMED", "the join credential lacks fields");
  }
  return value as JoinCredential;
}

/**
 * Both sides derive the same key: the sealer from (ephemeral private, worker public), the
 * worker from (worker private, ephemeral public). `peer` is the other side's key object.
 */
function deriveKey(
  privateKey: KeyObject,
  workerPublic: Uint8Array,
  ephemeralPublic: Uint8Array,
  peer: KeyObject = publicKeyObject(workerPublic),
): Buffer {
  const shared = diffieHellman({ privateKey, publicKey: peer });
  const salt = Buffer.concat([ephemeralPublic, workerPublic]);
  return Buffer.from(hkdfSync("sha256", shared, salt, HKDF_INFO, 32));
}

function associatedData(context: CredentialContext): Buffer {
  return Buffer.concat([
    Buffer.from([JOIN_CREDENTIAL_VERSION]),
    Buffer.from(context.clusterId, "utf8"),
    Buffer.from([0]),
    Buffer.from(context.nodeId, "utf8"),
  ]);
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x ?? "", "base64url"));
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: "OKP", crv: "X25519", x: Buffer.from(raw).toString("base64url") },
    format: "jwk",
  });
}
