// Enclave identity: the signing key, where it comes from, and Nitro attestation documents
// from the NSM (parsing and verification: src/protocol/nitro).
export { detectEnclave, type EnclaveEnvironment, NITRO_DEVICE } from "./attestation.ts";
export {
  type AttestingEnclaveSigner,
  createNitroEnclaveSigner,
  isAttestingSigner,
} from "./nitro-signer.ts";
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
