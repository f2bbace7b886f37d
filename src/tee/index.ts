// Enclave identity: the signing key and where it comes from.
export { detectEnclave, type EnclaveEnvironment, NITRO_DEVICE } from "./attestation.ts";
export { EnclaveKeyError, type EnclaveSigner, loadDevEnclaveSigner } from "./signer.ts";
export { EnclaveSuiSigner } from "./sui-signer.ts";
