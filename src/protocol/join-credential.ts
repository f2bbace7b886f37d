import { LIMITS } from "./constants.ts";
import {
  decodeBox,
  encodeBox,
  generateX25519KeyPair,
  openBox,
  SealedBoxError,
  sealBox,
  type X25519KeyPair,
  x25519KeyPairFromPkcs8,
} from "./sealed-box.ts";

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
 * Sealed format, version 1 (the sealed box of `sealed-box.ts`: ephemeral x25519,
 * HKDF-SHA256, AES-256-GCM):
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
const HKDF_INFO = "k8s-daas/join-credential/v1";

/** A worker's x25519 key pair; the raw 32-byte public key goes on chain. */
export type WorkerEncryptionKey = X25519KeyPair;

export function generateWorkerEncryptionKey(): WorkerEncryptionKey {
  return generateX25519KeyPair();
}

/** The key pair from its PKCS#8 DER encoding (how the agent stores it). */
export function workerEncryptionKeyFromPkcs8(der: Uint8Array): WorkerEncryptionKey {
  try {
    return x25519KeyPairFromPkcs8(der);
  } catch (error) {
    throw new JoinCredentialError("WORKER_KEY_UNREADABLE", "the worker key is not an x25519 key", {
      cause: error,
    });
  }
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
  const box = sealBox(recipientPublicKey, Buffer.from(JSON.stringify(credential), "utf8"), {
    info: HKDF_INFO,
    aad: associatedData(context),
  });
  const sealed = Buffer.concat([Buffer.from([JOIN_CREDENTIAL_VERSION]), encodeBox(box)]);
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
  const box = decodeBox(sealed.subarray(1));
  if (!box || sealed[0] !== JOIN_CREDENTIAL_VERSION) {
    throw new JoinCredentialError(
      "JOIN_CREDENTIAL_MALFORMED",
      `not a version ${JOIN_CREDENTIAL_VERSION} join credential (${sealed.length} bytes, version ${sealed[0]})`,
    );
  }
  let plain: Buffer;
  try {
    plain = Buffer.from(openBox(key, box, { info: HKDF_INFO, aad: associatedData(context) }));
  } catch (error) {
    if (!(error instanceof SealedBoxError)) throw error;
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

function associatedData(context: CredentialContext): Buffer {
  return Buffer.concat([
    Buffer.from([JOIN_CREDENTIAL_VERSION]),
    Buffer.from(context.clusterId, "utf8"),
    Buffer.from([0]),
    Buffer.from(context.nodeId, "utf8"),
  ]);
}
