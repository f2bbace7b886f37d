// Enclave identity: the signing key, the encryption key, the TLS key, and where they come from.
export { detectEnclave, type EnclaveEnvironment, NITRO_DEVICE } from "./attestation.ts";
export {
  type EnclavePublicHalves,
  enclavePublicKeys,
  publishedKeysMatch,
} from "./published-keys.ts";
export { type SelfSignedCertificate, selfSignedCertificate } from "./self-signed-certificate.ts";
export { EnclaveKeyError, type EnclaveSigner, loadDevEnclaveSigner } from "./signer.ts";
export { EnclaveSuiSigner } from "./sui-signer.ts";
export {
  type EnclaveTlsKey,
  generateTlsKey,
  tlsKeyFromPkcs8,
  tlsServerCredentials,
} from "./tls-key.ts";
