import type { EnclavePublicKeysInput } from "../protocol/index.ts";
import type { EnclaveSigner } from "./signer.ts";

/**
 * The keys an enclave publishes, in the one on-chain layout (`messages::EnclavePublicKeys`):
 * what a dev registration passes, a rotation signs, and a Nitro attestation's `user_data`
 * carries as BCS.
 */
export function enclavePublicKeys(
  enclave: Pick<EnclaveSigner, "publicKey" | "encryptionKey" | "tlsKey">,
): {
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
