import { generateKeyPairSync, sign } from "node:crypto";
import { encodeEnclaveUserData, generateX25519KeyPair } from "../protocol/index.ts";
import { type NsmTransport, requestAttestation } from "./nsm.ts";
import { enclavePublicKeys } from "./published-keys.ts";
import { type EnclaveSigner, rawEd25519PublicKey } from "./signer.ts";
import { generateTlsKey } from "./tls-key.ts";

/** An enclave signer whose keys an attestation document vouches for. */
export interface AttestingEnclaveSigner extends EnclaveSigner {
  readonly mode: "nitro";
  /**
   * A fresh attestation document from the NSM: `user_data` is BCS `EnclavePublicKeys`
   * (this signer's signing key, encryption key and TLS key hash), `public_key` the raw
   * ed25519 key (as Nautilus' template puts it, and as the chain requires `user_data` to
   * name), `nonce` the caller's when given.
   */
  attest(nonce?: Uint8Array): Promise<Uint8Array>;
}

/**
 * The production signer: the signing, encryption and TLS key pairs are generated here,
 * inside the enclave, and live only in its memory (so the TLS key clients pin from the
 * attested registration never leaves it) — a restart makes new keys, which the admin
 * registers from a new attestation. Asks the NSM for one document up front, so a missing or broken NSM fails
 * the start rather than the first `/get_attestation`.
 */
export async function createNitroEnclaveSigner(
  transport: NsmTransport,
): Promise<AttestingEnclaveSigner> {
  const { privateKey } = generateKeyPairSync("ed25519");
  const encryptionKey = generateX25519KeyPair();
  const tlsKey = generateTlsKey();
  const publicKey = rawEd25519PublicKey(privateKey);
  const userData = encodeEnclaveUserData(enclavePublicKeys({ publicKey, encryptionKey, tlsKey }));
  const attest = (nonce?: Uint8Array) =>
    requestAttestation(transport, {
      userData,
      publicKey,
      ...(nonce === undefined ? {} : { nonce }),
    });
  await attest();
  return {
    mode: "nitro",
    publicKey,
    encryptionKey,
    tlsKey,
    sign: async (message) => new Uint8Array(sign(null, message, privateKey)),
    attest,
  };
}

/** Whether `signer` can attest its keys (a Nitro signer) rather than being a dev key. */
export function isAttestingSigner(signer: EnclaveSigner): signer is AttestingEnclaveSigner {
  return typeof (signer as Partial<AttestingEnclaveSigner>).attest === "function";
}
