// Request payloads sealed to the enclave's encryption key, and request outputs sealed back
// to a one-time key the requester names. Both are boxes of `sealed-box.ts`; this file fixes
// their framing, their domain strings and the context each one is bound to.
import { bcs } from "@mysten/sui/bcs";
import {
  assertX25519PublicKey,
  BOX_OVERHEAD_BYTES,
  decodeBox,
  encodeBox,
  openBox,
  SealedBoxError,
  sealBox,
  X25519_KEY_BYTES,
  type X25519KeyPair,
} from "./sealed-box.ts";

/**
 * Sealed request payload, version 1 (`requests::submit_sealed`, `K8sAPIRequestEvent.sealed`):
 *
 * ```
 * offset  size  field
 * 0       1     version = 0x01
 * 1       32    recipient: the enclave X25519 encryption key it was sealed to
 * 33      32    ephemeral X25519 public key
 * 65      12    AES-GCM nonce
 * 77      n     ciphertext of BCS(SealedRequestBody)
 * 77+n    16    AES-GCM tag
 * ```
 *
 * key = HKDF-SHA256(X25519(ephemeral, recipient), salt = ephemeral || recipient,
 * info = "k8s-daas/sealed-payload/v1"). The associated data is BCS(SealedPayloadContext):
 * the version, cluster id, requester address, namespace, method, resource, name and the
 * recipient key, i.e. everything the chain states about the request. A sealed payload
 * copied into another tenant's, namespace's or object's request therefore does not open,
 * and the recipient in the header tells the enclave whether it was sealed to its current
 * key (else `SEALED_PAYLOAD_STALE_KEY`: re-seal to the key now on chain).
 */
export const SEALED_PAYLOAD_VERSION = 1;
const PAYLOAD_INFO = "k8s-daas/sealed-payload/v1";
const RECIPIENT_OFFSET = 1;
const BOX_OFFSET = RECIPIENT_OFFSET + X25519_KEY_BYTES;
/** Bytes a sealed payload adds to its BCS body: the header and the box. */
export const SEALED_PAYLOAD_OVERHEAD_BYTES = BOX_OFFSET + BOX_OVERHEAD_BYTES;

/**
 * Sealed output, version 1: what the control plane serves for a request that named a reply
 * key. `version (1) || ephemeral (32) || nonce (12) || ciphertext || tag (16)`, info
 * "k8s-daas/sealed-output/v1", associated data BCS(SealedOutputContext): the version,
 * cluster id, request id and the reply key, so one request's output cannot be passed off
 * as another's.
 */
export const SEALED_OUTPUT_VERSION = 1;
const OUTPUT_INFO = "k8s-daas/sealed-output/v1";

/**
 * An unsealed GET payload that only names a reply key: this ASCII prefix, then the key in
 * base64url (43 characters). A reply key is public, so it may travel in the clear; a GET
 * sent with `submit_sealed` carries it inside the sealed body instead.
 */
export const REPLY_KEY_PREFIX = "k8s-daas-reply-key/v1:";

/** The plaintext inside a sealed payload. */
export const SealedRequestBody = bcs.struct("SealedRequestBody", {
  /** Empty, or the one-time X25519 key the request's full output is sealed to. */
  reply_key: bcs.byteVector(),
  /** The manifest or patch, exactly as an unsealed request would carry it (may be empty). */
  body: bcs.byteVector(),
});

/** Associated data of a sealed payload. */
export const SealedPayloadContext = bcs.struct("SealedPayloadContext", {
  version: bcs.u8(),
  cluster_id: bcs.Address,
  requester: bcs.Address,
  namespace: bcs.string(),
  method: bcs.string(),
  resource: bcs.string(),
  name: bcs.string(),
  recipient: bcs.byteVector(),
});

/** Associated data of a sealed output. */
export const SealedOutputContext = bcs.struct("SealedOutputContext", {
  version: bcs.u8(),
  cluster_id: bcs.Address,
  request_id: bcs.u64(),
  reply_key: bcs.byteVector(),
});

export type SealedPayloadErrorCode =
  | "SEALED_PAYLOAD_MALFORMED"
  | "SEALED_PAYLOAD_UNREADABLE"
  | "SEALED_PAYLOAD_STALE_KEY"
  | "SEALED_PAYLOAD_KEY_INVALID"
  | "SEALED_OUTPUT_MALFORMED"
  | "SEALED_OUTPUT_UNREADABLE";

/** A payload or output that cannot be sealed or opened; `code` is stable. */
export class SealedPayloadError extends Error {
  readonly code: SealedPayloadErrorCode;
  constructor(code: SealedPayloadErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SealedPayloadError";
    this.code = code;
  }
}

/** What the chain states about a request, which its sealed payload is bound to. */
export interface SealedPayloadBinding {
  clusterId: string;
  requester: string;
  namespace: string;
  method: string;
  resource: string;
  name: string;
}

/** A sealed payload's plaintext. */
export interface RequestPlaintext {
  body: Uint8Array;
  /** The one-time X25519 public key the output is to be sealed to, if any. */
  replyKey?: Uint8Array;
}

/** Seals a request's body (and reply key) to the enclave encryption key `recipient`. */
export function sealRequestPayload(
  recipient: Uint8Array,
  plaintext: RequestPlaintext,
  binding: SealedPayloadBinding,
): Uint8Array {
  checkX25519Key(recipient, "the enclave encryption key");
  if (plaintext.replyKey) checkX25519Key(plaintext.replyKey, "the reply key");
  const body = SealedRequestBody.serialize({
    reply_key: plaintext.replyKey ?? new Uint8Array(),
    body: plaintext.body,
  }).toBytes();
  const box = sealBox(recipient, body, { info: PAYLOAD_INFO, aad: payloadAad(recipient, binding) });
  return new Uint8Array(
    Buffer.concat([Buffer.from([SEALED_PAYLOAD_VERSION]), recipient, encodeBox(box)]),
  );
}

/** The encryption key a sealed payload names as its recipient (header only, nothing opened). */
export function sealedPayloadRecipient(sealed: Uint8Array): Uint8Array {
  if (sealed[0] !== SEALED_PAYLOAD_VERSION || !decodeBox(sealed.subarray(BOX_OFFSET))) {
    throw new SealedPayloadError(
      "SEALED_PAYLOAD_MALFORMED",
      `not a version ${SEALED_PAYLOAD_VERSION} sealed payload (${sealed.length} bytes, version ${sealed[0] ?? "none"})`,
    );
  }
  return sealed.subarray(RECIPIENT_OFFSET, BOX_OFFSET);
}

/**
 * Opens a sealed payload with the enclave's encryption key. Throws MALFORMED (not this
 * format), STALE_KEY (sealed to another key than `key`: an older enclave key, say) or
 * UNREADABLE (tampered, or bound to another cluster, requester, namespace, method, resource
 * or name).
 */
export function openRequestPayload(
  key: X25519KeyPair,
  sealed: Uint8Array,
  binding: SealedPayloadBinding,
): RequestPlaintext {
  const recipient = sealedPayloadRecipient(sealed);
  if (!Buffer.from(recipient).equals(Buffer.from(key.publicKey))) {
    throw new SealedPayloadError(
      "SEALED_PAYLOAD_STALE_KEY",
      `sealed to encryption key ${keyFingerprint(recipient)}, but the enclave's key is ${keyFingerprint(key.publicKey)}: re-seal to the key on chain`,
    );
  }
  const box = decodeBox(sealed.subarray(BOX_OFFSET));
  let plain: Uint8Array;
  try {
    // decodeBox succeeded in sealedPayloadRecipient, so `box` is defined here.
    plain = openBox(key, box as NonNullable<typeof box>, {
      info: PAYLOAD_INFO,
      aad: payloadAad(recipient, binding),
    });
  } catch (error) {
    if (!(error instanceof SealedBoxError)) throw error;
    throw new SealedPayloadError(
      "SEALED_PAYLOAD_UNREADABLE",
      "the sealed payload does not open: altered, or sealed for another request (cluster, requester, namespace, method, resource or name)",
      { cause: error },
    );
  }
  let parsed: ReturnType<typeof SealedRequestBody.parse>;
  try {
    parsed = SealedRequestBody.parse(plain);
  } catch (error) {
    throw new SealedPayloadError("SEALED_PAYLOAD_MALFORMED", "the sealed body is not BCS", {
      cause: error,
    });
  }
  const replyKey = Uint8Array.from(parsed.reply_key);
  if (replyKey.length > 0) checkReplyKey(replyKey);
  return { body: Uint8Array.from(parsed.body), ...(replyKey.length > 0 ? { replyKey } : {}) };
}

/** An unsealed GET payload naming `replyKey` (see `REPLY_KEY_PREFIX`). */
export function replyKeyPayload(replyKey: Uint8Array): Uint8Array {
  checkX25519Key(replyKey, "the reply key");
  return new TextEncoder().encode(
    `${REPLY_KEY_PREFIX}${Buffer.from(replyKey).toString("base64url")}`,
  );
}

/**
 * The reply key an unsealed payload names, undefined when it is not a reply-key payload;
 * MALFORMED when it has the prefix but no valid key.
 */
export function parseReplyKeyPayload(payload: Uint8Array): Uint8Array | undefined {
  const prefix = Buffer.from(REPLY_KEY_PREFIX, "ascii");
  if (!Buffer.from(payload.subarray(0, prefix.length)).equals(prefix)) return undefined;
  const encoded = Buffer.from(payload.subarray(prefix.length)).toString("ascii");
  const key = /^[A-Za-z0-9_-]{43}$/.test(encoded)
    ? new Uint8Array(Buffer.from(encoded, "base64url"))
    : new Uint8Array();
  checkReplyKey(key);
  return key;
}

/**
 * The key of a served result's `output` when the full output is sealed to the request's
 * reply key: `{"statusCode":…,"summary":…,"output":{"sealedOutput":"<base64>"}}`. The value
 * is the base64 of `sealOutput`'s bytes; inside is the plain result document.
 */
export const SEALED_OUTPUT_FIELD = "sealedOutput";

/** The sealed output bytes a served result's `output` carries, if it carries one. */
export function sealedOutputOf(output: unknown): Uint8Array | undefined {
  if (typeof output !== "object" || output === null) return undefined;
  const value = (output as Record<string, unknown>)[SEALED_OUTPUT_FIELD];
  if (typeof value !== "string") return undefined;
  return new Uint8Array(Buffer.from(value, "base64"));
}

/** What a sealed output is bound to. */
export interface SealedOutputBinding {
  clusterId: string;
  requestId: bigint;
}

/** Seals a request's full output document to the reply key the request named. */
export function sealOutput(
  replyKey: Uint8Array,
  output: Uint8Array,
  binding: SealedOutputBinding,
): Uint8Array {
  checkX25519Key(replyKey, "the reply key");
  const box = sealBox(replyKey, output, { info: OUTPUT_INFO, aad: outputAad(replyKey, binding) });
  return new Uint8Array(Buffer.concat([Buffer.from([SEALED_OUTPUT_VERSION]), encodeBox(box)]));
}

/** Opens a sealed output with the one-time key pair the requester kept. */
export function openOutput(
  replyKey: X25519KeyPair,
  sealed: Uint8Array,
  binding: SealedOutputBinding,
): Uint8Array {
  const box = decodeBox(sealed.subarray(1));
  if (sealed[0] !== SEALED_OUTPUT_VERSION || !box) {
    throw new SealedPayloadError(
      "SEALED_OUTPUT_MALFORMED",
      `not a version ${SEALED_OUTPUT_VERSION} sealed output (${sealed.length} bytes)`,
    );
  }
  try {
    return openBox(replyKey, box, {
      info: OUTPUT_INFO,
      aad: outputAad(replyKey.publicKey, binding),
    });
  } catch (error) {
    if (!(error instanceof SealedBoxError)) throw error;
    throw new SealedPayloadError(
      "SEALED_OUTPUT_UNREADABLE",
      `the output of request ${binding.requestId} does not open with this reply key (altered, or sealed for another key or request)`,
      { cause: error },
    );
  }
}

/** First 8 bytes of a key in hex, for messages. */
export function keyFingerprint(key: Uint8Array): string {
  return Buffer.from(key.subarray(0, 8)).toString("hex");
}

/** A reply key read from a request: MALFORMED unless a secret can be agreed with it. */
function checkReplyKey(key: Uint8Array): void {
  try {
    assertX25519PublicKey(key);
  } catch (error) {
    throw new SealedPayloadError(
      "SEALED_PAYLOAD_MALFORMED",
      `the reply key is not a usable ${X25519_KEY_BYTES}-byte X25519 public key (${key.length} bytes)`,
      { cause: error },
    );
  }
}

/** A key this side seals to: KEY_INVALID unless a secret can be agreed with it. */
function checkX25519Key(key: Uint8Array, what: string): void {
  try {
    assertX25519PublicKey(key);
  } catch (error) {
    throw new SealedPayloadError(
      "SEALED_PAYLOAD_KEY_INVALID",
      `${what} is not an X25519 public key (${key.length} bytes)`,
      { cause: error },
    );
  }
}

function payloadAad(recipient: Uint8Array, binding: SealedPayloadBinding): Uint8Array {
  return SealedPayloadContext.serialize({
    version: SEALED_PAYLOAD_VERSION,
    cluster_id: binding.clusterId,
    requester: binding.requester,
    namespace: binding.namespace,
    method: binding.method,
    resource: binding.resource,
    name: binding.name,
    recipient,
  }).toBytes();
}

function outputAad(replyKey: Uint8Array, binding: SealedOutputBinding): Uint8Array {
  return SealedOutputContext.serialize({
    version: SEALED_OUTPUT_VERSION,
    cluster_id: binding.clusterId,
    request_id: binding.requestId,
    reply_key: replyKey,
  }).toBytes();
}
