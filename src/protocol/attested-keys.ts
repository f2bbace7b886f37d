// The enclave's public keys as its Nitro attestation carries them: the document's
// `user_data` is one BCS value of this struct, which `enclave::register_enclave` reads
// (`enclave::decode_attested_keys`). Every key the chain registers for an enclave is a field
// here, so one attestation vouches for all of them.
import { bcs } from "@mysten/sui/bcs";
import { LIMITS } from "./constants.ts";

/** Fields of `EnclaveAttestedKeys`, in BCS order. */
export const EnclaveAttestedKeysFields = {
  /** ed25519 signing key (32 bytes). */
  public_key: bcs.byteVector(),
  /** X25519 key request payloads are sealed to (32 bytes). */
  encryption_key: bcs.byteVector(),
};
export const EnclaveAttestedKeys = bcs.struct("EnclaveAttestedKeys", EnclaveAttestedKeysFields);

export interface AttestedKeys {
  publicKey: Uint8Array;
  encryptionKey: Uint8Array;
}

/** The attestation `user_data` bytes for `keys`. */
export function encodeAttestedKeys(keys: AttestedKeys): Uint8Array {
  return EnclaveAttestedKeys.serialize({
    public_key: keys.publicKey,
    encryption_key: keys.encryptionKey,
  }).toBytes();
}

/**
 * Reads `user_data` as the chain does: exactly one BCS `EnclaveAttestedKeys` whose keys are
 * 32 bytes each; anything else is `undefined` (on chain: `EInvalidAttestedKeys`).
 */
export function decodeAttestedKeys(userData: Uint8Array | undefined): AttestedKeys | undefined {
  if (userData === undefined) return undefined;
  let parsed: { public_key: Uint8Array | number[]; encryption_key: Uint8Array | number[] };
  try {
    parsed = EnclaveAttestedKeys.parse(userData);
  } catch {
    return undefined;
  }
  const publicKey = Uint8Array.from(parsed.public_key);
  const encryptionKey = Uint8Array.from(parsed.encryption_key);
  if (publicKey.length !== LIMITS.enclavePublicKeyBytes) return undefined;
  if (encryptionKey.length !== LIMITS.enclaveEncryptionKeyBytes) return undefined;
  // BCS parse ignores trailing bytes; the chain requires the exact size.
  if (encodeAttestedKeys({ publicKey, encryptionKey }).length !== userData.length) return undefined;
  return { publicKey, encryptionKey };
}
