import { type SignatureScheme, Signer } from "@mysten/sui/cryptography";
import { Ed25519PublicKey } from "@mysten/sui/keypairs/ed25519";
import type { EnclaveSigner } from "./signer.ts";

/**
 * The enclave's ed25519 key as a Sui signer, for one use: signing the personal message of a
 * Seal session key, so that key servers hand the enclave's address the keys `seal_policy`
 * grants it. Sui signs blake2b256(intent || message) with the personal-message intent,
 * 32 bytes that can never be an `IntentMessage` of k8s_daas (longer, and signed raw), so
 * the key keeps speaking unambiguously for both.
 */
export class EnclaveSuiSigner extends Signer {
  readonly #enclave: EnclaveSigner;
  readonly #publicKey: Ed25519PublicKey;

  constructor(enclave: EnclaveSigner) {
    super();
    this.#enclave = enclave;
    this.#publicKey = new Ed25519PublicKey(enclave.publicKey);
  }

  async sign(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.#enclave.sign(bytes));
  }

  getKeyScheme(): SignatureScheme {
    return "ED25519";
  }

  getPublicKey(): Ed25519PublicKey {
    return this.#publicKey;
  }
}
