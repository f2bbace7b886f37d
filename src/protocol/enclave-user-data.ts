// A Nitro attestation's `user_data`: BCS of `messages::EnclavePublicKeys` (the one layout
// of the keys an enclave publishes), read the way `enclave::decode_enclave_public_keys`
// reads it, so the devnet twin, the CLI's pre-flight check and the chain refuse the same
// bytes with the same code (`EInvalidUserData`).
import { EnclavePublicKeys } from "./messages.ts";

/** The three values of `EnclavePublicKeys`, as the chain stores them. */
export interface EnclavePublicKeysValue {
  /** ed25519 signing key (32 bytes); also the attestation document's `public_key`. */
  public_key: Uint8Array;
  /** X25519 key request payloads are sealed to (32 bytes). */
  encryption_key: Uint8Array;
  /** SHA-256 of the TLS key's DER SubjectPublicKeyInfo (32 bytes), what clients pin. */
  tls_key_sha256: Uint8Array;
}

/** The attestation `user_data` bytes for `keys`. */
export function encodeEnclaveUserData(keys: EnclavePublicKeysValue): Uint8Array {
  return EnclavePublicKeys.serialize(keys).toBytes();
}

/** `EnclavePublicKeys` has three fields, each a length-prefixed byte vector. */
const FIELD_COUNT = 3;
/** A one-byte ULEB128 length: every key and hash is under 128 bytes. */
const MAX_ONE_BYTE_LENGTH = 0x7f;

/**
 * `enclave::decode_enclave_public_keys`: exactly three byte vectors with one-byte lengths
 * and nothing after them, else `undefined` (on chain: `EInvalidUserData`). Field sizes are
 * not checked here; `install_key` checks them after (`EInvalidPublicKey`, …).
 */
export function decodeEnclaveUserData(bytes: Uint8Array): EnclavePublicKeysValue | undefined {
  const fields: Uint8Array[] = [];
  let offset = 0;
  while (fields.length < FIELD_COUNT) {
    const length = bytes[offset];
    if (length === undefined || length > MAX_ONE_BYTE_LENGTH) return undefined;
    const end = offset + 1 + length;
    if (end > bytes.length) return undefined;
    fields.push(bytes.slice(offset + 1, end));
    offset = end;
  }
  if (offset !== bytes.length) return undefined;
  const [public_key, encryption_key, tls_key_sha256] = fields as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  return { public_key, encryption_key, tls_key_sha256 };
}
