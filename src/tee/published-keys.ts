import type { EnclavePublicKeysInput } from "../protocol/index.ts";

/** The public halves of an enclave's keys (an `EnclaveSigner` is one). */
export interface EnclavePublicHalves {
  readonly publicKey: Uint8Array;
  readonly encryptionKey: { readonly publicKey: Uint8Array };
  readonly tlsKey: { readonly spkiSha256: Uint8Array };
}

/**
 * The keys an enclave publishes, in the one on-chain layout (`messages::EnclavePublicKeys`):
 * what a dev registration passes, a rotation signs, and a Nitro attestation's `user_data`
 * carries as BCS.
 */
export function enclavePublicKeys(enclave: EnclavePublicHalves): {
  public_key: Uint8Array;
  encryption_key: Uint8Array;
  tls_key_sha256: Uint8Array;
} & EnclavePublicKeysInput {
  return {
    public_key: enclave.publicKey,
    encryption_key: enclave.encryptionKey.publicKey,
    tls_key_sha256: enclave.tlsKey.spkiSha256,
  };
}

/** Whether the keys a cluster object holds are `enclave`'s, all three. */
export function publishedKeysMatch(
  registered: {
    enclave_public_key: Iterable<number>;
    enclave_encryption_key: Iterable<number>;
    enclave_tls_key_sha256: Iterable<number>;
  },
  enclave: EnclavePublicHalves,
): boolean {
  const mine = enclavePublicKeys(enclave);
  const same = (a: Iterable<number>, b: Uint8Array) =>
    Buffer.from(Uint8Array.from(a)).equals(Buffer.from(b));
  return (
    same(registered.enclave_public_key, mine.public_key) &&
    same(registered.enclave_encryption_key, mine.encryption_key) &&
    same(registered.enclave_tls_key_sha256, mine.tls_key_sha256)
  );
}
