/** Why an attestation document was refused; each code is stable (CLI output, tests). */
export type AttestationErrorCode =
  /** Not CBOR / COSE_Sign1 / an attestation document with the fields AWS specifies. */
  | "ATTESTATION_MALFORMED"
  /** The COSE signature does not verify with the document's certificate. */
  | "ATTESTATION_SIGNATURE_INVALID"
  /** The certificate chain does not lead to the trusted root (the AWS Nitro root). */
  | "ATTESTATION_CHAIN_INVALID"
  /** A certificate of the chain is not valid at the time checked (expired or not yet valid). */
  | "ATTESTATION_EXPIRED"
  /** PCR0..PCR2 are all zero: an enclave in debug mode, whose memory the host can read. */
  | "ATTESTATION_DEBUG_MODE"
  /** PCR0..PCR2 differ from the expected ones. */
  | "ATTESTATION_PCR_MISMATCH"
  /**
   * No `public_key`, or `user_data` is not one BCS `EnclavePublicKeys` naming it with
   * 32-byte values (on chain: `EInvalidPublicKey`, `EInvalidUserData`, …).
   */
  | "ATTESTATION_KEYS_INVALID";

export class AttestationError extends Error {
  readonly code: AttestationErrorCode;
  constructor(code: AttestationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AttestationError";
    this.code = code;
  }
}
