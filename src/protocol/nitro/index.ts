// AWS Nitro attestation documents as the chain reads them (`0x2::nitro_attestation`):
// CBOR, COSE_Sign1, the certificate chain to the AWS Nitro root, PCRs, and the enclave keys
// `enclave::register_enclave` takes from `user_data`. Shared by the enclave (tee), the
// devnet's twin of the native, and the CLI's pre-flight check.
export { AttestationError, type AttestationErrorCode } from "./attestation-error.ts";
export { CborError, type CborTagged, type CborValue, decodeCbor, encodeCbor } from "./cbor.ts";
export {
  imagePcrs,
  type NitroAttestationDocument,
  type ParsedAttestation,
  parseNitroAttestation,
} from "./document.ts";
export {
  MOVE_DOCUMENT_PCRS,
  moveDocumentBytes,
  NITRO_ATTESTATION_DOCUMENT_TYPE,
  NitroAttestationDocumentLayout,
} from "./move-document.ts";
export { AWS_NITRO_ROOT_PEM, AWS_NITRO_ROOT_SHA256 } from "./root.ts";
export {
  type VerifiedAttestation,
  type VerifyOptions,
  verifyNitroAttestation,
  verifyNitroDocument,
} from "./verify.ts";
