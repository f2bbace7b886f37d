// Enclave identity: the signing key, the encryption key, the TLS key, where they come from,
// and Nitro attestation documents from the NSM (parsing and verification: src/protocol/nitro).
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
  type EnclavePublicHalves,
  enclavePublicKeys,
  publishedKeysMatch,
} from "./published-keys.ts";
export { type SelfSignedCertificate, selfSignedCertificate } from "./self-signed-certificate.ts";
export {
  EnclaveKeyError,
  type EnclaveSigner,
  loadDevEnclaveSigner,
  rawEd25519PublicKey,
} from "./signer.ts";
export { EnclaveSuiSigner } from "./sui-signer.ts";
export {
  type EnclaveTlsKey,
  generateTlsKey,
  tlsKeyFromPkcs8,
  tlsServerCredentials,
} from "./tls-key.ts";
