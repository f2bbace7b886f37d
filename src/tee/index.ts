// Enclave identity: the signing key, where it comes from, and Nitro attestation documents
// (the NSM protocol, parsing and verification).

export { detectEnclave, type EnclaveEnvironment, NITRO_DEVICE } from "./attestation.ts";
export { AttestationError, type AttestationErrorCode } from "./attestation-error.ts";
export { CborError, type CborValue, decodeCbor, encodeCbor } from "./cbor.ts";
export {
  imagePcrs,
  type NitroAttestationDocument,
  type ParsedAttestation,
  parseNitroAttestation,
} from "./nitro-document.ts";
export { AWS_NITRO_ROOT_PEM, AWS_NITRO_ROOT_SHA256 } from "./nitro-root.ts";
export { type AttestingEnclaveSigner, createNitroEnclaveSigner } from "./nitro-signer.ts";
export {
  type VerifiedAttestation,
  type VerifyOptions,
  verifyNitroAttestation,
} from "./nitro-verify.ts";
export {
  type AttestationRequest,
  decodeAttestationResponse,
  encodeAttestationRequest,
  NSM_LIMITS,
  NsmError,
  type NsmTransport,
  nsmHelperTransport,
  requestAttestation,
} from "./nsm.ts";
export {
  EnclaveKeyError,
  type EnclaveSigner,
  loadDevEnclaveSigner,
  rawEd25519PublicKey,
} from "./signer.ts";
