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

/**
 * The one sealed-box primitive of the protocol (ECIES, HPKE-style): an ephemeral X25519
 * key agrees a secret with the recipient's X25519 key, HKDF-SHA256 turns it into an
 * AES-256-GCM key, and the caller's associated data binds the box to its context.
 *
 *   key = HKDF-SHA256(ikm = X25519(ephemeral, recipient), salt = ephemeral pub || recipient pub,
 *                     info = <the format's domain string>, 32 bytes)
 *
 * The formats built on it (join credentials, sealed request payloads, sealed outputs) each
 * choose their own `info` string, so a box made for one can never be opened as another, and
 * frame the box behind their own header: `encodeBox` / `decodeBox` handle the common tail
 * `ephemeral public key (32) || nonce (12) || ciphertext || tag (16)`.
 */
export const X25519_KEY_BYTES = 32;
export const BOX_NONCE_BYTES = 12;
export const BOX_TAG_BYTES = 16;
/** Bytes a box adds around its plaintext: ephemeral key, nonce and tag. */
export const BOX_OVERHEAD_BYTES = X25519_KEY_BYTES + BOX_NONCE_BYTES + BOX_TAG_BYTES;

export type SealedBoxErrorCode = "X25519_KEY_INVALID" | "SEALED_BOX_UNREADABLE";

/** A key that is not an X25519 key, or a box that does not open (tampered, other key or context). */
export class SealedBoxError extends Error {
  readonly code: SealedBoxErrorCode;
  constructor(code: SealedBoxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SealedBoxError";
    this.code = code;
  }
}

/** An X25519 key pair; the raw 32-byte public key is what goes on chain or in a header. */
export interface X25519KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: Uint8Array;
}

/** A box's parts: what the sealer sends besides its own header. */
export interface SealedBox {
  readonly ephemeralPublicKey: Uint8Array;
  readonly nonce: Uint8Array;
  /** AES-GCM ciphertext followed by its 16-byte tag. */
  readonly ciphertext: Uint8Array;
}

/** Domain separation and context binding of one box. */
export interface BoxBinding {
  /** The format's HKDF info string, e.g. `k8s-daas/sealed-payload/v1`. */
  readonly info: string;
  /** AEAD associated data: the context the box belongs to. */
  readonly aad: Uint8Array;
}

export function generateX25519KeyPair(): X25519KeyPair {
  const { privateKey } = generateKeyPairSync("x25519");
  return { privateKey, publicKey: rawX25519PublicKey(createPublicKey(privateKey)) };
}

/** The key pair from its PKCS#8 DER encoding (how private keys are stored on disk). */
export function x25519KeyPairFromPkcs8(der: Uint8Array): X25519KeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
  } catch (error) {
    throw new SealedBoxError("X25519_KEY_INVALID", "not a PKCS#8 private key", { cause: error });
  }
  if (privateKey.asymmetricKeyType !== "x25519") {
    throw new SealedBoxError(
      "X25519_KEY_INVALID",
      `a ${privateKey.asymmetricKeyType} key, not x25519`,
    );
  }
  return { privateKey, publicKey: rawX25519PublicKey(createPublicKey(privateKey)) };
}

/** PKCS#8 DER of a key pair's private key (what `x25519KeyPairFromPkcs8` reads back). */
export function x25519Pkcs8(pair: X25519KeyPair): Uint8Array {
  return new Uint8Array(pair.privateKey.export({ format: "der", type: "pkcs8" }));
}

/** Seals `plaintext` to `recipientPublicKey` (raw 32 bytes) under `binding`. */
export function sealBox(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  binding: BoxBinding,
): SealedBox {
  const recipient = x25519PublicKeyObject(recipientPublicKey);
  const ephemeral = generateKeyPairSync("x25519");
  const ephemeralPublicKey = rawX25519PublicKey(ephemeral.publicKey);
  let key: Buffer;
  try {
    key = deriveKey(binding.info, ephemeral.privateKey, recipient, {
      ephemeralPublicKey,
      recipientPublicKey,
    });
  } catch (error) {
    throw lowOrderKey(error);
  }
  const nonce = randomBytes(BOX_NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(binding.aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return {
    ephemeralPublicKey,
    nonce: new Uint8Array(nonce),
    ciphertext: new Uint8Array(ciphertext),
  };
}

/**
 * Opens a box with the recipient's key pair. Anything that keeps it shut — a tampered byte,
 * another recipient, another `info` or associated data, an invalid ephemeral key — throws
 * `SEALED_BOX_UNREADABLE`: the causes are indistinguishable by design.
 */
export function openBox(recipient: X25519KeyPair, box: SealedBox, binding: BoxBinding): Uint8Array {
  try {
    if (box.ciphertext.length < BOX_TAG_BYTES) throw new Error("shorter than a tag");
    const ephemeral = x25519PublicKeyObject(box.ephemeralPublicKey);
    const key = deriveKey(binding.info, recipient.privateKey, ephemeral, {
      ephemeralPublicKey: box.ephemeralPublicKey,
      recipientPublicKey: recipient.publicKey,
    });
    const body = box.ciphertext.subarray(0, box.ciphertext.length - BOX_TAG_BYTES);
    const tag = box.ciphertext.subarray(box.ciphertext.length - BOX_TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", key, box.nonce);
    decipher.setAAD(binding.aad);
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  } catch (error) {
    throw new SealedBoxError("SEALED_BOX_UNREADABLE", "the sealed box does not open", {
      cause: error,
    });
  }
}

/** `ephemeral public key || nonce || ciphertext+tag`: the tail every format frames. */
export function encodeBox(box: SealedBox): Uint8Array {
  return new Uint8Array(Buffer.concat([box.ephemeralPublicKey, box.nonce, box.ciphertext]));
}

/** The parts of an encoded box, or undefined when it is too short to be one. */
export function decodeBox(bytes: Uint8Array): SealedBox | undefined {
  if (bytes.length < BOX_OVERHEAD_BYTES) return undefined;
  return {
    ephemeralPublicKey: bytes.subarray(0, X25519_KEY_BYTES),
    nonce: bytes.subarray(X25519_KEY_BYTES, X25519_KEY_BYTES + BOX_NONCE_BYTES),
    ciphertext: bytes.subarray(X25519_KEY_BYTES + BOX_NONCE_BYTES),
  };
}

/**
 * Both sides derive the same key: the sealer from (ephemeral private, recipient public),
 * the recipient from (recipient private, ephemeral public).
 */
function deriveKey(
  info: string,
  privateKey: KeyObject,
  peer: KeyObject,
  keys: { ephemeralPublicKey: Uint8Array; recipientPublicKey: Uint8Array },
): Buffer {
  const shared = diffieHellman({ privateKey, publicKey: peer });
  const salt = Buffer.concat([keys.ephemeralPublicKey, keys.recipientPublicKey]);
  return Buffer.from(hkdfSync("sha256", shared, salt, Buffer.from(info, "utf8"), 32));
}

function rawX25519PublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x ?? "", "base64url"));
}

/**
 * The encodings of the X25519 points of small order (u = 0, 1, the two points of order 8,
 * p - 1, p, p + 1), compared with the top bit cleared as X25519 ignores it: no secret can be
 * agreed with them (the shared secret would be all zero).
 */
const SMALL_ORDER_POINTS = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map((hex) => Buffer.from(hex, "hex"));

/**
 * Throws X25519_KEY_INVALID unless `raw` is an X25519 public key a secret can be agreed
 * with: 32 bytes and not a point of small order.
 */
export function assertX25519PublicKey(raw: Uint8Array): void {
  if (raw.length !== X25519_KEY_BYTES) {
    throw new SealedBoxError(
      "X25519_KEY_INVALID",
      `an x25519 public key is ${X25519_KEY_BYTES} bytes, got ${raw.length}`,
    );
  }
  const masked = Buffer.from(raw);
  masked[31] = (masked[31] ?? 0) & 0x7f;
  if (SMALL_ORDER_POINTS.some((point) => point.equals(masked))) {
    throw new SealedBoxError("X25519_KEY_INVALID", "an x25519 point of small order");
  }
}

function lowOrderKey(cause: unknown): SealedBoxError {
  return new SealedBoxError(
    "X25519_KEY_INVALID",
    "no secret can be agreed with this x25519 key (a low-order point)",
    { cause },
  );
}

/** A raw 32-byte X25519 public key as a key object; throws X25519_KEY_INVALID otherwise. */
export function x25519PublicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== X25519_KEY_BYTES) {
    throw new SealedBoxError(
      "X25519_KEY_INVALID",
      `an x25519 public key is ${X25519_KEY_BYTES} bytes, got ${raw.length}`,
    );
  }
  return createPublicKey({
    key: { kty: "OKP", crv: "X25519", x: Buffer.from(raw).toString("base64url") },
    format: "jwk",
  });
}
